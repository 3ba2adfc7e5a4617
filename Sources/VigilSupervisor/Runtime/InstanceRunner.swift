import Foundation
import VigilManifest

/// Runs one instance: feeds its ``InstanceStateMachine`` and performs the actions it returns.
///
/// The machine decides; the runner only spawns, signals, sleeps and probes. Events reach it from
/// the exit watcher's thread (exits), from timer and probe tasks, and from operator commands; the
/// actor serialises them, so the machine always sees one event at a time.
public actor InstanceRunner {
    public nonisolated let service: String
    /// `blue`/`green`, or `default` for a service without a deploy section.
    public nonisolated let color: String
    public nonisolated let spec: ServiceSpec
    public nonisolated let port: UInt16?

    private let environment: InstanceEnvironment
    let resources: SupervisorResources
    private(set) var machine: InstanceStateMachine
    private let logFile: RotatingLogFile?
    /// The process group of the latest run; kept after the leader exits to clean up what it left.
    private(set) var processGroup: pid_t?
    private var startedAt: Date?
    private var timers: [InstanceStateMachine.TimerKind: Task<Void, Never>] = [:]
    private var probeTasks: [ProbeKind: Task<Void, Never>] = [:]
    private var probeGeneration = 0
    /// The cgroup and memory watch of the current spawn (InstanceRunner+Memory.swift).
    var spawnMemory: SpawnMemory?
    /// Set by the owner of a blue-green color: answers a memory breach by replacing the instance
    /// without downtime (a rollout); returns false to let the runner restart it itself.
    var memoryResponder: (@Sendable (MemoryGuard.Breach) async -> Bool)?
    private var waiters: [(predicate: @Sendable (InstanceState) -> Bool, continuation: CheckedContinuation<InstanceState, Never>)] = []

    init(spec: ServiceSpec, color: String, port: UInt16?, environment: InstanceEnvironment, resources: SupervisorResources) {
        self.service = spec.name
        self.color = color
        self.spec = spec
        self.port = port
        self.environment = environment
        self.resources = resources
        self.machine = InstanceStateMachine(configuration: .init(spec))
        let name = color == "default" ? spec.name : "\(spec.name)-\(color)"
        let drops = LogDropReporter(service: spec.name, color: color == "default" ? nil : color, events: resources.events)
        self.logFile = try? RotatingLogFile(
            path: "\(resources.logsDir)/\(name).log", maxSize: spec.logs.maxSize.bytes, keep: spec.logs.keep, compress: spec.logs.compress,
            rateLimit: spec.logs.rateLimit, onDrop: { drops.report($0) }
        )
    }

    /// Told of every change of state or readiness (crash, readiness lost, ready), in order.
    private var observers: [@Sendable (InstanceStatus) -> Void] = []
    private var lastObserved: (state: InstanceState, ready: Bool)?

    /// Builds the runner for one instance of `loaded`: `spec` is the effective spec (for a
    /// deployed service, the revision's), `color` is `blue`/`green` or `default`.
    public static func make(loaded: LoadedService, spec: ServiceSpec, color: String, port: UInt16?, resources: SupervisorResources) -> InstanceRunner {
        let environment = InstanceEnvironment(
            spec: spec, color: color, port: port,
            manifestDir: (loaded.origin.file as NSString).deletingLastPathComponent, resources: resources
        )
        return InstanceRunner(spec: spec, color: color, port: port, environment: environment, resources: resources)
    }

    public var state: InstanceState { machine.state }

    /// Whether the instance currently has a live process and passes readiness.
    public var isReady: Bool { machine.isReady && machine.state.hasProcess }

    /// Calls `handler` (on this actor; keep it short, hand work off) after every change of
    /// state or readiness, starting with the current one.
    public func observe(_ handler: @escaping @Sendable (InstanceStatus) -> Void) {
        observers.append(handler)
        lastObserved = (machine.state, isReady)
        handler(snapshot())
    }

    public func send(_ event: InstanceStateMachine.Event) {
        perform(machine.handle(event, at: .now))
    }

    /// Sends `event`, then waits until the state satisfies `predicate`.
    public func send(_ event: InstanceStateMachine.Event, until predicate: @escaping @Sendable (InstanceState) -> Bool) async -> InstanceState {
        send(event)
        if predicate(machine.state) { return machine.state }
        return await withCheckedContinuation { waiters.append((predicate, $0)) }
    }

    /// Stops the instance and returns once its process group is gone.
    public func stopAndWait() async {
        _ = await send(.stop, until: { !$0.hasProcess })
        if let group = processGroup, ProcessGroup.exists(group) { _ = ProcessGroup.signal(group, SIGKILL) }
        cancelAllTasks()
        logFile?.close()
    }

    /// The instance as `vigil status` shows it. `readingUsage: false` skips the /proc reads for
    /// memory and CPU (left nil) where only state matters or usage is read another way.
    public func snapshot(readingUsage: Bool = true) -> InstanceStatus {
        let stat = readingUsage ? machine.pid.flatMap { ProcessStat.read(pid: $0) } : nil
        return InstanceStatus(
            color: color, pid: machine.pid, state: machine.state.rawValue, ready: machine.isReady && machine.state.hasProcess,
            restarts: machine.restarts, rssBytes: stat?.residentBytes, cpuSeconds: stat?.cpuSeconds, startedAt: machine.pid == nil ? nil : startedAt,
            memoryBytes: readingUsage ? spawnMemory?.cgroup?.memoryBytes : nil,
            memoryHighBytes: memoryLimits.high, memoryMaxBytes: memoryLimits.max
        )
    }

    // MARK: - Performing actions

    private func perform(_ actions: [InstanceStateMachine.Action]) {
        // The outcome of a spawn is a new event; it is handled after this list so the recorded
        // events stay in the order the machine decided them.
        var followUps: [InstanceStateMachine.Event] = []
        for action in actions {
            switch action {
            case .spawn: followUps.append(spawn())
            case .signalGroup(let signal):
                if let group = processGroup { _ = ProcessGroup.signal(group, signal) }
            case .killGroup:
                if let group = processGroup { _ = ProcessGroup.signal(group, SIGKILL) }
                spawnMemory?.cgroup?.killAll()
            case .schedule(let timer, let delay): schedule(timer, after: delay)
            case .activateProbes(let kinds, let generation): activateProbes(kinds, generation: generation)
            case .record(let kind, let reason, let message):
                record(kind, reason: reason, message: message)
            }
        }
        resumeWaiters()
        notifyObservers()
        for event in followUps { perform(machine.handle(event, at: .now)) }
    }

    private func notifyObservers() {
        guard !observers.isEmpty else { return }
        let now = (state: machine.state, ready: isReady)
        if let last = lastObserved, last.state == now.state, last.ready == now.ready { return }
        lastObserved = now
        let status = snapshot(readingUsage: false)
        for observer in observers { observer(status) }
    }

    private func resumeWaiters() {
        let state = machine.state
        waiters.removeAll { waiter in
            guard waiter.predicate(state) else { return false }
            waiter.continuation.resume(returning: state)
            return true
        }
    }

    /// Starts the process and returns the event that reports how that went.
    private func spawn() -> InstanceStateMachine.Event {
        let launch: LaunchedProcess
        let marker = InstanceMarker.fresh(service: service, color: color)
        let cgroup = makeCgroup(marker: marker)
        do {
            var spec = try environment.launchSpec(marker: marker)
            let procs = try cgroup.map { try $0.openProcs() }
            defer { procs.map { _ = close($0) } }
            spec.cgroupProcsDescriptor = procs
            launch = try ProcessLauncher.launch(spec)
        } catch {
            cgroup?.removeWhenEmpty()
            return .spawnFailed("\(error)")
        }
        startWatchingMemory(pid: launch.pid, cgroup: cgroup)
        processGroup = launch.pid
        startedAt = Date()
        if let logFile {
            for pipe in [launch.stdoutPipe, launch.stderrPipe].compactMap({ $0 }) { resources.logs.attach(fd: pipe, to: logFile) }
        } else {
            [launch.stdoutPipe, launch.stderrPipe].compactMap { $0 }.forEach { close($0) }
        }
        resources.recordInstance(InstanceRecord(service: service, color: color, pid: launch.pid, startTime: launch.startTime, spawnedAt: Date(), marker: marker.value))
        resources.exits.watch(pid: launch.pid, pidfd: launch.pidfd) { [weak self] status in
            guard let self else { return }
            Task { await self.exited(status, pid: launch.pid) }
        }
        return .spawned(pid: launch.pid)
    }

    private func exited(_ status: ExitStatus, pid: pid_t) {
        guard machine.pid == pid else { return }
        let ended = spawnMemory
        spawnMemory = nil
        noteOOMKill(of: ended, pid: pid)
        // Respawn first; the instance record is rewritten by the next spawn, and cleared only
        // when no process follows (the orphan reaper also checks start times and marks, so a stale one is harmless).
        perform(machine.handle(.exited(status), at: .now))
        end(ended)
        if !machine.state.hasProcess {
            resources.forgetInstance(service: service, color: color)
        }
    }

    private func schedule(_ timer: InstanceStateMachine.Timer, after delay: Duration) {
        timers[timer.kind]?.cancel()
        timers[timer.kind] = Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled, let self else { return }
            await self.send(.timerFired(timer))
        }
    }

    private func activateProbes(_ kinds: Set<ProbeKind>, generation: Int) {
        if generation != probeGeneration {
            probeTasks.values.forEach { $0.cancel() }
            probeTasks.removeAll()
            probeGeneration = generation
        }
        for (kind, task) in probeTasks where !kinds.contains(kind) {
            task.cancel()
            probeTasks[kind] = nil
        }
        for kind in kinds where probeTasks[kind] == nil {
            guard let probeSpec = spec.probes[kind], let probe = environment.makeProbe(probeSpec.action, resources: resources) else { continue }
            let metrics = ProbeMetrics(service: service, probe: kind)
            probeTasks[kind] = Task { [weak self] in
                if probeSpec.initialDelay > .zero { try? await Task.sleep(for: probeSpec.initialDelay) }
                while !Task.isCancelled {
                    let began = ContinuousClock.now
                    let result = await probe.check(timeout: probeSpec.timeout)
                    // A check cut short by a stop or a new generation says nothing about health.
                    guard !Task.isCancelled, let self else { return }
                    metrics.record(result, took: ContinuousClock.now - began)
                    await self.send(.probe(kind, result, generation: generation))
                    try? await Task.sleep(for: probeSpec.period)
                }
            }
        }
    }

    private func cancelAllTasks() {
        timers.values.forEach { $0.cancel() }
        timers.removeAll()
        probeTasks.values.forEach { $0.cancel() }
        probeTasks.removeAll()
    }
}
