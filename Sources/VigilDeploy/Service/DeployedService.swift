import Foundation
import VigilManifest
import VigilSupervisor

/// A blue-green service: two ``InstanceRunner``s (blue, green), a ``TrafficRouter`` in front of
/// them, and the ``RolloutStateMachine`` that decides which one gets the traffic, persisted in
/// `vigil.db` through ``RolloutStore``.
///
/// Everything that reaches the machine (commands, runner state changes, analysis verdicts,
/// drained colors, timers) goes through one queue and is handled one at a time, each event's
/// actions performed in full and in order before the next event: the machine's "persist, then
/// act" order is the order things happen. The supervisor reaches it as a ``ManagedService``; the
/// control API downcasts `supervisor.managedService(named:)` to call ``deploy(_:)``,
/// ``promote()``, ``rollback()`` and ``history()``.
public actor DeployedService: ManagedService {
    public nonisolated let name: String
    let resources: SupervisorResources
    let store: RolloutStore
    let metrics: DeployMetrics
    var loaded: LoadedService
    var deploy: DeploySpec {
        didSet { machine.standby = deploy.standby }
    }
    /// Builds the router at each start; tests pass their own.
    let makeRouter: @Sendable (DeploySpec) throws -> any TrafficRouter

    var machine: RolloutStateMachine
    var router: (any TrafficRouter)?
    var runners: [Color: InstanceRunner] = [:]
    /// Stops in progress per color; a new start on that color waits for it.
    var stopping: [Color: Task<Void, Never>] = [:]
    var revisions: [String: Revision] = [:]
    var timers: [RolloutStateMachine.TimerKind: Task<Void, Never>] = [:]
    var drainWatches: [Color: Task<Void, Never>] = [:]
    /// The analysis running, if any. The machine asks for the next one only after this one's
    /// verdict or at a new step (which makes this one's verdict stale), so one is enough.
    var analysis: Task<Void, Never>?
    /// Each color's current runner as last observed: its latest status, and what was last told
    /// to the machine about it, so only changes are sent.
    var observed: [Color: ObservedInstance] = [:]
    /// Whether the warm standby has the traffic (``StandbyFailover``).
    var failover = StandbyFailover()
    /// The table the router last took (weights and retry fallback), nil before the first.
    var routed: RoutingTable?
    var inputs: AsyncStream<Input>.Continuation?
    var loop: Task<Void, Never>?
    var running = false
    /// The manifest changed during a rollout: roll the new spec out once it ends.
    var reloadPending = false

    /// What the queue carries.
    enum Input: Sendable {
        case machine(RolloutStateMachine.Event)
        case observed(Color, ObjectIdentifier, InstanceStatus)
        case command(Command, CheckedContinuation<CommandOutcome, any Error>?)
        /// Nothing to handle: look at the standby failover again (after the router refused it).
        case standbyCheck
    }

    enum Command: Sendable {
        case deploy(RevisionRequest, trigger: RolloutTrigger)
        case promote
        case resume
        case rollback
        case restart
        case update(LoadedService)
    }

    enum CommandOutcome: Sendable {
        case started(RolloutRecord)
        case done
    }

    /// - Parameter makeRouter: the router for a deploy section (default: builtin or nginx, as it says).
    public init(
        loaded: LoadedService, resources: SupervisorResources,
        makeRouter: @escaping @Sendable (DeploySpec) throws -> any TrafficRouter = { _ in throw RouterError("no router") }
    ) {
        precondition(loaded.spec.deploy != nil, "DeployedService needs a spec with a deploy section")
        self.name = loaded.spec.name
        self.loaded = loaded
        self.deploy = loaded.spec.deploy!
        self.resources = resources
        self.store = RolloutStore(store: resources.store)
        self.metrics = DeployMetrics(service: loaded.spec.name)
        self.machine = RolloutStateMachine(service: loaded.spec.name, standby: loaded.spec.deploy!.standby)
        self.makeRouter = makeRouter
    }

    /// The factory for ``Supervisor/init(configuration:resources:makeService:)``: a deployed
    /// service for every spec with a `deploy` section, with the router that section names.
    public static let factory: ManagedServiceFactory = { loaded, resources in
        guard loaded.spec.deploy != nil else { return nil }
        return DeployedService(loaded: loaded, resources: resources) { deploy in
            try RouterFactory.make(service: loaded.spec.name, deploy: deploy)
        }
    }

    // MARK: - ManagedService

    /// Starts the router, then replays the last record: the recorded active revision comes
    /// back on its color, an interrupted rollout resumes or its rollback completes.
    public func start() async {
        guard !running else { return }
        running = true
        let (stream, continuation) = AsyncStream.makeStream(of: Input.self)
        inputs = continuation
        loop = Task { [weak self] in
            for await input in stream {
                guard let self else { return }
                await self.process(input)
            }
        }
        do {
            let router = try makeRouter(deploy)
            self.router = router
            try await router.start()
        } catch {
            await router?.shutdown()
            router = nil
            note("router for \(deploy.listen) could not start: \(error); the colors run but receive no traffic until this is fixed and the service restarted")
        }
        machine = RolloutStateMachine(service: name, standby: deploy.standby)
        observed = [:]
        failover = StandbyFailover()
        routed = nil
        let restore: RolloutStateMachine.Event
        do {
            if let record = try store.deployment(service: name) {
                let plan = try record.rollout.flatMap { rollout in try revision(rollout.revision).map(plan(for:)) }
                restore = .restore(record, plan: plan)
            } else {
                let initial = try Revision(spec: loaded.spec, request: .init())
                try remember(initial)
                restore = .activate(color: .blue, revision: initial.id)
            }
        } catch {
            note("cannot read the deployment of \(name) from vigil.db: \(error); starting the manifest's revision on blue")
            let initial = (try? Revision(spec: loaded.spec, request: .init()))!
            revisions[initial.id] = initial
            restore = .activate(color: .blue, revision: initial.id)
        }
        inputs?.yield(.machine(restore))
        // The manifest may have changed while Vigil was down: roll it out like a reload.
        inputs?.yield(.command(.update(loaded), nil))
    }

    /// Stops both colors and the router. A rollout in progress stays recorded as it was and
    /// resumes (or completes its rollback) at the next start.
    public func stopAndWait() async {
        guard running else { return }
        running = false
        // The loop drains what is queued: commands get their "stopped" answer instead of hanging.
        inputs?.finish()
        inputs = nil
        loop = nil
        cancelTasks()
        let all = Array(runners.values)
        runners.removeAll()
        await withTaskGroup(of: Void.self) { group in
            for runner in all { group.addTask { await runner.stopAndWait() } }
            for task in stopping.values { group.addTask { await task.value } }
        }
        stopping.removeAll()
        await router?.shutdown()
        router = nil
    }

    /// `vigil restart`: a rollout of the active revision to the other color, no downtime.
    public func restart(reason: String) async {
        guard running else { return await start() }
        _ = try? await send(.restart)
    }

    /// The active color crossed its memory `high`: a rollout of the same revision to the other
    /// color replaces it without downtime (SPEC 5), counted as a restart with reason `memory`.
    /// While a rollout runs, a color with traffic is left to it (it is being replaced or judged;
    /// `max` still bounds it); false (the runner restarts its own instance) for a color without
    /// traffic.
    func replaceForMemory(_ color: Color) async -> Bool {
        guard running else { return false }
        if let inProgress = machine.activeRollout { return inProgress.weight(color) > 0 }
        guard machine.deployment?.activeColor == color, case .started(let rollout)? = try? await send(.restart) else { return false }
        resources.events.record(SupervisorEvent(
            service: name, color: color.rawValue, kind: .restarted, reason: "memory",
            message: "restarting (memory): rollout \(rollout.id) replaces \(color.rawValue) with \(rollout.revision) on \(rollout.to.rawValue)"
        ))
        return true
    }

    /// A changed manifest rolls out as a new revision (keeping the active revision's `--version`,
    /// `--release` and `--env`). A changed address, router or ports cannot move under traffic:
    /// false asks the supervisor to stop this service and start a new one.
    public func update(to loaded: LoadedService) async -> Bool {
        guard let newDeploy = loaded.spec.deploy, newDeploy.listen == deploy.listen, newDeploy.router == deploy.router,
              newDeploy.ports == deploy.ports, newDeploy.nginx == deploy.nginx
        else { return false }
        guard running else {
            self.loaded = loaded
            self.deploy = newDeploy
            return true
        }
        _ = try? await send(.update(loaded))
        return true
    }

    public func status(readingUsage: Bool) async -> ServiceStatus {
        var instances: [InstanceStatus] = []
        for color in Color.allCases {
            if let runner = runners[color] { instances.append(await runner.snapshot(readingUsage: readingUsage)) }
        }
        let deployment = machine.deployment
        let activeColor = deployment?.activeColor
        let active = instances.first { $0.color == activeColor?.rawValue }
        let rollout = machine.activeRollout.map { rollout in
            RolloutStatus(id: rollout.id, phase: rollout.phase.rawValue,
                          weights: Dictionary(uniqueKeysWithValues: rollout.weights.map { ($0.key.rawValue, $0.value) }),
                          startedAt: rollout.startedAt)
        }
        return ServiceStatus(
            name: name, state: running ? (active?.state ?? InstanceState.starting.rawValue) : InstanceState.stopped.rawValue,
            activeColor: activeColor?.rawValue, revision: deployment?.activeRevision,
            version: deployment.flatMap { revisions[$0.activeRevision]?.version }, instances: instances, rollout: rollout,
            standby: standbyStatus()
        )
    }

    // MARK: - Helpers

    /// Sends a command through the queue and waits for its outcome.
    func send(_ command: Command) async throws -> CommandOutcome {
        guard running, let inputs else { throw DeployError.stopped(name) }
        return try await withCheckedThrowingContinuation { continuation in
            // The queue is unbounded, so nothing is dropped; a finished one (stopped) answers here.
            guard case .enqueued = inputs.yield(.command(command, continuation)) else {
                return continuation.resume(throwing: DeployError.stopped(name))
            }
        }
    }

    func revision(_ id: String) throws -> Revision? {
        if let cached = revisions[id] { return cached }
        let stored = try store.revision(service: name, id: id)
        revisions[id] = stored
        return stored
    }

    func remember(_ revision: Revision) throws {
        revisions[revision.id] = revision
        try store.save(revision)
    }

    func plan(for revision: Revision) -> RolloutPlan {
        RolloutPlan(revision.spec.deploy ?? deploy)
    }

    /// Writes an operator-facing note to the event log.
    func note(_ message: String, color: Color? = nil) {
        resources.events.record(SupervisorEvent(service: name, color: color?.rawValue, kind: .rolloutPhase, message: message))
    }

    func cancelTasks() {
        timers.values.forEach { $0.cancel() }
        timers.removeAll()
        drainWatches.values.forEach { $0.cancel() }
        drainWatches.removeAll()
        analysis?.cancel()
        analysis = nil
    }
}
