import ServiceLifecycle
import UnixSignals
import VigilSupervisor

/// The supervisor as a swift-service-lifecycle service: starts every service, reloads on SIGHUP,
/// and on graceful shutdown (SIGTERM/SIGINT) stops every process group before it returns.
public struct SupervisorService: Service {
    let supervisor: Supervisor
    let source: ConfigurationSource
    let onStarted: @Sendable () async -> Void
    let onReload: @Sendable (ReloadOutcome) async -> Void
    let onReloading: @Sendable () async -> Void
    let onStopping: @Sendable () async -> Void

    /// - Parameters:
    ///   - onStarted: after every service was started (systemd's `READY=1`).
    ///   - onReload: after a SIGHUP reload, applied or rejected.
    ///   - onReloading: when a SIGHUP arrives, before the configuration is read.
    ///   - onStopping: when graceful shutdown begins, before services are stopped.
    public init(
        supervisor: Supervisor, source: ConfigurationSource,
        onStarted: @escaping @Sendable () async -> Void = {}, onReload: @escaping @Sendable (ReloadOutcome) async -> Void = { _ in },
        onReloading: @escaping @Sendable () async -> Void = {}, onStopping: @escaping @Sendable () async -> Void = {}
    ) {
        self.supervisor = supervisor
        self.source = source
        self.onStarted = onStarted
        self.onReload = onReload
        self.onReloading = onReloading
        self.onStopping = onStopping
    }

    public func run() async throws {
        // Trap SIGHUP before anything starts, so an early reload request is not the default "terminate".
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await supervisor.start()
        await onStarted()
        for await _ in hangups.cancelOnGracefulShutdown() {
            await onReloading()
            await onReload(await supervisor.reloadFromDisk(source))
        }
        await onStopping()
        await supervisor.shutdown()
        supervisor.resources.shutdown()
    }
}
