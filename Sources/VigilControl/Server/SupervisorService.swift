import ServiceLifecycle
import UnixSignals
import VigilSupervisor

/// The supervisor as a swift-service-lifecycle service: starts every service, reloads on SIGHUP,
/// and on graceful shutdown (SIGTERM/SIGINT) stops every process group before it returns.
public struct SupervisorService: Service {
    let supervisor: Supervisor
    let source: ConfigurationSource
    let onStarted: @Sendable () async -> Void
    let onStopping: @Sendable () async -> Void

    /// Reloads, however they are asked for (SIGHUP here, or the control API), are observed
    /// through ``Supervisor/observeReloads(_:)``.
    ///
    /// - Parameters:
    ///   - onStarted: after every service was started (systemd's `READY=1`).
    ///   - onStopping: when graceful shutdown begins, before services are stopped.
    public init(
        supervisor: Supervisor, source: ConfigurationSource,
        onStarted: @escaping @Sendable () async -> Void = {}, onStopping: @escaping @Sendable () async -> Void = {}
    ) {
        self.supervisor = supervisor
        self.source = source
        self.onStarted = onStarted
        self.onStopping = onStopping
    }

    public func run() async throws {
        // Trap SIGHUP before anything starts, so an early reload request is not the default "terminate".
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await supervisor.start()
        await onStarted()
        for await _ in hangups.cancelOnGracefulShutdown() {
            _ = await supervisor.reloadFromDisk(source)
        }
        await onStopping()
        await supervisor.shutdown()
        supervisor.resources.shutdown()
    }
}
