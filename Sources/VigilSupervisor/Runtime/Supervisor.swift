import Foundation
import VigilManifest

/// The running supervisor: one ``ManagedService`` per service (a single ``InstanceRunner``, or a
/// runner per color behind a router for blue-green ones), the commands operators send, reload,
/// and a clean shutdown.
public actor Supervisor {
    public enum CommandError: Error, CustomStringConvertible, Equatable {
        case unknownService(String, known: [String])

        public var description: String {
            switch self {
            case .unknownService(let name, let known):
                "no service named '\(name)'" + (known.isEmpty ? "" : "; known services: \(known.joined(separator: ", "))")
            }
        }
    }

    /// What a reload changed, by service name.
    public struct ReloadSummary: Codable, Sendable, Equatable {
        public var started: [String] = []
        public var stopped: [String] = []
        public var restarted: [String] = []
        public var unchanged: [String] = []
        /// Supervisor settings that only take effect when Vigil restarts.
        public var needsRestart: [String] = []
    }

    public nonisolated let resources: SupervisorResources
    public private(set) var configuration: LoadedConfiguration
    private var runners: [String: any ManagedService] = [:]
    private let makeDeployedService: ManagedServiceFactory
    var pendingReload: Task<ReloadOutcome, Never>?
    var reloadObservers: [ReloadObserver] = []
    /// Round trips answered by ``heartbeat()``; a write the optimizer cannot drop, so each
    /// heartbeat really runs on the actor's executor.
    var heartbeatsAnswered: UInt64 = 0

    /// - Parameter makeService: builds the service for specs the rollout layer owns (those with a
    ///   `deploy` section); returning nil, or the default, runs a plain single-instance service.
    public init(configuration: LoadedConfiguration, resources: SupervisorResources, makeService: @escaping ManagedServiceFactory = { _, _ in nil }) {
        self.configuration = configuration
        self.resources = resources
        self.makeDeployedService = makeService
    }

    /// The running service named `name`, for layers that own more of it (the rollout controller's
    /// commands reach a deployed service through this).
    public func managedService(named name: String) -> (any ManagedService)? { runners[name] }

    public var serviceNames: [String] { configuration.services.map(\.spec.name) }

    /// Stops leftovers of a previous Vigil killed with SIGKILL, then starts every service.
    public func start() async {
        await OrphanReaper(store: resources.store, events: resources.events).reap(stopTimeouts: stopTimeouts())
        if case .success(let layout) = resources.cgroups {
            // After the reaper's graceful stop: what is still in an old instance cgroup left its
            // process group or its mark behind, and is Vigil's all the same.
            for (name, killed) in await CgroupSweeper.sweepLeftovers(layout) {
                let parts = name.split(separator: ".").map(String.init)
                resources.events.record(SupervisorEvent(service: parts[0], color: parts[1] == InstanceRecord.defaultColor ? nil : parts[1], kind: .orphanKilled, message: "killed \(killed) process(es) left in cgroup \(name) by a previous Vigil"))
            }
        }
        resources.memory.setHostHighWatermark(configuration.supervisor.reclaim?.memory?.hostHighWatermark.value)
        resources.events.record(SupervisorEvent(service: "vigil", kind: .supervisorStarted, message: "supervising \(configuration.services.count) services; memory limits: \(resources.memoryEnforcement)"))
        for loaded in configuration.services {
            runners[loaded.spec.name] = makeRunner(loaded)
        }
        await Self.startConcurrently(Array(runners.values))
    }

    /// Stops services side by side, returning once every one of their process groups is gone
    /// (each runner clears its instance record when its process exits).
    private static func stopConcurrently(_ runners: [any ManagedService]) async {
        await withTaskGroup(of: Void.self) { group in
            for runner in runners {
                group.addTask { await runner.stopAndWait() }
            }
        }
    }

    /// Starts independent services side by side: spawning uses both cores and no service waits
    /// for another's fork and exec.
    private static func startConcurrently(_ runners: [any ManagedService]) async {
        await withTaskGroup(of: Void.self) { group in
            for runner in runners {
                group.addTask { await runner.start() }
            }
        }
    }

    private func stopTimeouts() -> [String: Duration] {
        Dictionary(configuration.services.map { ($0.spec.name, $0.spec.stop.timeout) }, uniquingKeysWith: { a, _ in a })
    }

    private func makeRunner(_ loaded: LoadedService) -> any ManagedService {
        makeDeployedService(loaded, resources) ?? PlainService(loaded, resources: resources)
    }

    private func runner(_ name: String) throws(CommandError) -> any ManagedService {
        guard let runner = runners[name] else { throw .unknownService(name, known: serviceNames) }
        return runner
    }

    // MARK: - Commands

    public func startService(_ name: String) async throws(CommandError) {
        resources.events.record(SupervisorEvent(service: name, kind: .started, message: "start requested"))
        try await runner(name).start()
    }

    /// Stops the service and returns once its process group is gone.
    public func stopService(_ name: String) async throws(CommandError) {
        try await runner(name).stopAndWait()
    }

    public func restartService(_ name: String) async throws(CommandError) {
        try await runner(name).restart(reason: "manual")
    }

    // MARK: - Status

    /// Every service in manifest order. Metrics and the systemd summary pass
    /// `readingUsage: false`: they need no per-instance /proc reads (metrics scan /proc once).
    public func status(readingUsage: Bool = true) async -> StatusReport {
        var services: [ServiceStatus] = []
        for loaded in configuration.services {
            guard let runner = runners[loaded.spec.name] else { continue }
            services.append(await runner.status(readingUsage: readingUsage))
        }
        return StatusReport(services: services, memoryLimits: resources.memoryEnforcement)
    }

    public func status(of name: String) async throws(CommandError) -> ServiceStatus {
        try await runner(name).status()
    }

    // MARK: - Reload

    /// Applies a new, already validated configuration: changed services restart, removed ones
    /// stop, new ones start, unchanged ones are not touched (same pid).
    public func reload(to new: LoadedConfiguration) async -> ReloadSummary {
        var summary = ReloadSummary()
        let old = configuration
        resources.memory.setHostHighWatermark(new.supervisor.reclaim?.memory?.hostHighWatermark.value)
        let newNames = Set(new.services.map(\.spec.name))
        summary.stopped = old.services.map(\.spec.name).filter { !newNames.contains($0) }
        var toStart: [LoadedService] = []
        var replaced: [String] = []
        for loaded in new.services {
            let name = loaded.spec.name
            switch old.service(named: name)?.spec {
            case loaded.spec?: summary.unchanged.append(name)
            case nil: summary.started.append(name); toStart.append(loaded)
            default:
                summary.restarted.append(name)
                // A deployed service rolls the new spec out itself (no downtime); anything else
                // is stopped and started again from the new spec.
                if let running = runners[name], await running.update(to: loaded) { continue }
                replaced.append(name)
                toStart.append(loaded)
            }
        }
        // Removed and changed services stop side by side: a reload waits for the slowest
        // stop.timeout, not for their sum.
        let leaving = (summary.stopped + replaced).compactMap { runners.removeValue(forKey: $0) }
        await Self.stopConcurrently(leaving)
        let starting = toStart.map { loaded in
            let runner = makeRunner(loaded)
            runners[loaded.spec.name] = runner
            return runner
        }
        await Self.startConcurrently(starting)
        let oldSupervisor = old.supervisor
        var kept = new.supervisor
        if oldSupervisor.stateDir != kept.stateDir { summary.needsRestart.append("stateDir"); kept.stateDir = oldSupervisor.stateDir }
        if oldSupervisor.control != kept.control { summary.needsRestart.append("control"); kept.control = oldSupervisor.control }
        if oldSupervisor.metrics != kept.metrics { summary.needsRestart.append("metrics") }
        configuration = LoadedConfiguration(supervisor: kept, services: new.services)
        resources.events.record(SupervisorEvent(
            service: "vigil", kind: .reload,
            message: "reload: \(summary.started.count) started, \(summary.restarted.count) restarted, \(summary.stopped.count) stopped, \(summary.unchanged.count) unchanged"
        ))
        return summary
    }

    /// Records a rejected reload; the running configuration stays.
    public func rejectReload(_ errors: ManifestErrors) {
        resources.events.record(SupervisorEvent(service: "vigil", kind: .reloadRejected, message: "reload rejected, running configuration kept: \(errors.errors.count) error(s); first: \(errors.errors.first?.description ?? "")"))
    }

    // MARK: - Shutdown

    /// Stops every service at once (each signal, wait `stop.timeout`, SIGKILL its group) and
    /// returns when all process groups are gone.
    public func shutdown() async {
        resources.events.record(SupervisorEvent(service: "vigil", kind: .supervisorStopping, message: "stopping \(runners.count) services"))
        await Self.stopConcurrently(Array(runners.values))
        runners.removeAll()
        if case .success(let layout) = resources.cgroups { await CgroupSweeper.removeAll(layout) }
        resources.events.flush()
    }
}
