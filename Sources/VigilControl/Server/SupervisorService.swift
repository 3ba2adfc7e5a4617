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

    public init(
        supervisor: Supervisor, source: ConfigurationSource,
        onStarted: @escaping @Sendable () async -> Void = {}, onReload: @escaping @Sendable (ReloadOutcome) async -> Void = { _ in }
    ) {
        self.supervisor = supervisor
        self.source = source
        self.onStarted = onStarted
        self.onReload = onReload
    }

    public func run() async throws {
        // Trap SIGHUP before anything starts, so an early reload request is not the default "terminate".
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await supervisor.start()
        await onStarted()
        for await _ in hangups.cancelOnGracefulShutdown() {
            await onReload(await supervisor.reloadFromDisk(source))
        }
        await supervisor.shutdown()
        supervisor.resources.shutdown()
    }
}
