import Foundation
import VigilManifest

/// The lifecycle of one instance as a pure value: it takes an event (a command, a spawn
/// result, an exit, a probe result, a timer) with the current time and returns the actions to
/// perform (spawn, signal, schedule a timer, switch probes on or off, record an event).
///
/// It does no I/O and never reads a clock, so restart policies, exponential backoff with jitter,
/// `resetAfter`, crash-loop detection, probe thresholds and stop escalation are all tested by
/// feeding events (see `InstanceStateMachineTests`). ``InstanceRunner`` performs the actions.
///
/// Every run of a process has a `generation`; timers and probe results carry the generation
/// they belong to, so a late timer or probe answer from a previous run is ignored.
public struct InstanceStateMachine: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public struct Configuration: Sendable, Equatable {
        public var restart: RestartSpec
        public var stop: StopSpec
        public var probes: ProbesSpec
        public init(restart: RestartSpec, stop: StopSpec, probes: ProbesSpec) {
            self.restart = restart
            self.stop = stop
            self.probes = probes
        }
        public init(_ spec: ServiceSpec) {
            self.init(restart: spec.restart, stop: spec.stop, probes: spec.probes)
        }
    }

    public enum TimerKind: Sendable, Hashable {
        /// The backoff delay before the next start is over.
        case backoff
        /// `stop.timeout` passed without the process exiting: SIGKILL.
        case stopTimeout
        /// The run has been stable for `resetAfter`: backoff starts over.
        case stable
    }

    public typealias Timer = GenerationTimer<TimerKind>

    public enum Event: Sendable, Equatable {
        case start
        case stop
        /// Graceful stop, then start again at once, not counted as a failure (manual restart).
        case restart(reason: String)
        /// Graceful stop (stop signal, `stop.timeout`, SIGKILL), then restart as a failure with
        /// `reason`: backoff and crash-loop rules apply (memory over `high`).
        case recycle(reason: String)
        /// SIGKILL the group at once, then restart as a failure (memory over `max`).
        case kill(reason: String)
        case spawned(pid: Int32)
        case spawnFailed(String)
        case exited(ExitStatus)
        case probe(ProbeKind, ProbeResult, generation: Int)
        case timerFired(Timer)
    }

    public enum Action: Sendable, Equatable {
        /// Start a process for run `generation`; answer with `.spawned` or `.spawnFailed`.
        case spawn(generation: Int)
        /// Send a signal to the whole process group.
        case signalGroup(Int32)
        /// SIGKILL whatever is left of the process group.
        case killGroup
        /// Fire `.timerFired(timer)` after the delay (replacing a pending timer of the same kind).
        case schedule(Timer, after: Duration)
        /// Run exactly these probes for run `generation` (empty: none).
        case activateProbes(Set<ProbeKind>, generation: Int)
        /// Write an event to the event log.
        case record(EventKind, reason: String?, message: String)
    }

    /// Why the current process is being stopped, which decides what happens when it exits.
    enum StopIntent: Sendable, Equatable {
        /// Stay stopped.
        case halt
        /// Start again at once, counted as a restart with this reason (not as a failure).
        case restart(String)
        /// Treat the exit as a failure with this reason (liveness, memory): backoff applies.
        case failure(String)
    }

    public let configuration: Configuration
    public private(set) var state: InstanceState = .stopped
    /// Whether the operator wants this instance running.
    public private(set) var wanted = false
    public private(set) var generation = 0
    public private(set) var pid: Int32?
    /// Restarts performed since Vigil started supervising it (status and metrics).
    public private(set) var restarts = 0
    /// Failures since the last stable run; the backoff exponent.
    public private(set) var consecutiveFailures = 0
    public private(set) var crashLooping = false
    /// Readiness as traffic sees it.
    public private(set) var isReady = false

    private var failureTimes: [Instant] = []
    private var stopIntent: StopIntent = .halt
    private var pendingRestartReason: String?
    private var startAfterStop = false
    private var startupPassed = false
    private var probeStreaks: [ProbeKind: (successes: Int, failures: Int)] = [:]
    private var random: SplitMix64

    public init(configuration: Configuration, seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        self.configuration = configuration
        self.random = SplitMix64(seed: seed)
    }

    /// Applies one event and returns the actions to perform, in order.
    public mutating func handle(_ event: Event, at now: Instant) -> [Action] {
        let before = state
        var actions: [Action] = []
        switch event {
        case .start: onStart(&actions)
        case .stop: onStop(&actions)
        case .restart(let reason): onRestart(reason: reason, &actions)
        case .recycle(let reason):
            if state.hasProcess, state != .stopping { beginStop(.failure(reason), &actions) }
        case .kill(let reason): onKill(reason: reason, &actions)
        case .spawned(let pid): onSpawned(pid: pid, &actions)
        case .spawnFailed(let message):
            actions.append(.record(.spawnFailed, reason: nil, message: message))
            onFailure(reason: "exit", detail: message, termination: nil, at: now, &actions)
        case .exited(let termination): onExited(termination, at: now, &actions)
        case .probe(let kind, let result, let generation):
            if generation == self.generation, state.hasProcess, state != .stopping {
                onProbe(kind, result, &actions)
            }
        case .timerFired(let timer): onTimer(timer, &actions)
        }
        if state != before {
            actions.append(.record(.stateChanged, reason: nil, message: "\(before.rawValue) -> \(state.rawValue)"))
        }
        return actions
    }
}

// MARK: - Commands

extension InstanceStateMachine {
    private mutating func onStart(_ actions: inout [Action]) {
        wanted = true
        switch state {
        case .stopped, .failed, .backoff, .crashloop:
            spawn(&actions)
        case .stopping:
            startAfterStop = true
        case .starting, .running, .ready, .unhealthy:
            break
        }
    }

    private mutating func onStop(_ actions: inout [Action]) {
        wanted = false
        startAfterStop = false
        switch state {
        case .starting, .running, .ready, .unhealthy:
            beginStop(.halt, &actions)
        case .stopping:
            stopIntent = .halt
        case .backoff, .crashloop, .failed:
            state = .stopped
            actions.append(.record(.stopped, reason: nil, message: "stopped while waiting to restart"))
        case .stopped:
            break
        }
    }

    private mutating func onRestart(reason: String, _ actions: inout [Action]) {
        wanted = true
        switch state {
        case .starting, .running, .ready, .unhealthy:
            beginStop(.restart(reason), &actions)
        case .stopping:
            stopIntent = .restart(reason)
        case .stopped, .failed, .backoff, .crashloop:
            restarts += 1
            actions.append(.record(.restarted, reason: reason, message: "restarting (\(reason))"))
            spawn(&actions)
        }
    }

    private mutating func onKill(reason: String, _ actions: inout [Action]) {
        guard state.hasProcess else { return }
        stopIntent = .failure(reason)
        state = .stopping
        actions.append(.activateProbes([], generation: generation))
        actions.append(.killGroup)
    }

    private mutating func beginStop(_ intent: StopIntent, _ actions: inout [Action]) {
        stopIntent = intent
        state = .stopping
        isReady = false
        actions.append(.activateProbes([], generation: generation))
        actions.append(.signalGroup(configuration.stop.signal.number))
        if configuration.stop.timeout == .zero {
            actions.append(.killGroup)
        } else {
            actions.append(.schedule(Timer(.stopTimeout, generation: generation), after: configuration.stop.timeout))
        }
    }
}

// MARK: - Process events

extension InstanceStateMachine {
    private mutating func spawn(_ actions: inout [Action]) {
        generation += 1
        pid = nil
        state = .starting
        isReady = false
        startupPassed = false
        probeStreaks = [:]
        actions.append(.spawn(generation: generation))
    }

    private mutating func onSpawned(pid: Int32, _ actions: inout [Action]) {
        guard state == .starting, self.pid == nil else { return }
        self.pid = pid
        actions.append(.record(.spawned, reason: nil, message: "spawned pid \(pid)"))
        actions.append(.schedule(Timer(.stable, generation: generation), after: configuration.restart.resetAfter))
        if configuration.probes.startup != nil {
            actions.append(.activateProbes([.startup], generation: generation))
        } else {
            passStartup(&actions)
        }
    }

    private mutating func passStartup(_ actions: inout [Action]) {
        startupPassed = true
        let kinds = Set([ProbeKind.liveness, .readiness].filter { configuration.probes[$0] != nil })
        actions.append(.activateProbes(kinds, generation: generation))
        // Without a readiness probe an instance is ready as soon as it has started (Kubernetes).
        if configuration.probes.readiness == nil { isReady = true }
        state = aliveState
    }

    private var aliveState: InstanceState {
        guard startupPassed else { return .starting }
        if (probeStreaks[.liveness]?.failures ?? 0) > 0 { return .unhealthy }
        return isReady ? .ready : .running
    }

    private mutating func onExited(_ termination: ExitStatus, at now: Instant, _ actions: inout [Action]) {
        guard state.hasProcess else { return }
        let exitedPid = pid
        pid = nil
        isReady = false
        actions.append(.activateProbes([], generation: generation))
        // The leader is gone; anything left in its group would be orphaned.
        actions.append(.killGroup)
        let pidText = exitedPid.map { "pid \($0) " } ?? ""
        if state == .stopping {
            let intent = stopIntent
            stopIntent = .halt
            actions.append(.record(.exited, reason: nil, message: "\(pidText)stopped: \(termination)"))
            switch intent {
            case .halt:
                if startAfterStop {
                    startAfterStop = false
                    spawn(&actions)
                } else {
                    state = .stopped
                    actions.append(.record(.stopped, reason: nil, message: "stopped"))
                }
            case .restart(let reason):
                restarts += 1
                actions.append(.record(.restarted, reason: reason, message: "restarting (\(reason))"))
                spawn(&actions)
            case .failure(let reason):
                onFailure(reason: reason, detail: "\(termination)", termination: nil, at: now, &actions)
            }
            return
        }
        actions.append(.record(.exited, reason: nil, message: "\(pidText)exited: \(termination)"))
        let reason = if case .signaled = termination { "signal" } else { "exit" }
        onFailure(reason: reason, detail: "\(termination)", termination: termination, at: now, &actions)
    }

    /// An unwanted end of a run: apply the restart policy, backoff and crash-loop detection.
    private mutating func onFailure(reason: String, detail: String, termination: ExitStatus?, at now: Instant, _ actions: inout [Action]) {
        let restart = configuration.restart
        switch restart.policy {
        case .never:
            state = .failed
            actions.append(.record(.stopped, reason: reason, message: "\(detail); restart policy 'never': not restarting"))
            return
        case .onFailure where termination?.isSuccess == true:
            state = .failed
            actions.append(.record(.stopped, reason: reason, message: "exited cleanly; restart policy 'on-failure': not restarting"))
            return
        case .always, .onFailure:
            break
        }
        consecutiveFailures += 1
        failureTimes.append(now)
        failureTimes.removeAll { now - $0 > restart.crashLoop.within }
        if !crashLooping, failureTimes.count >= restart.crashLoop.restarts {
            crashLooping = true
            actions.append(.record(
                .crashloop, reason: reason,
                message: "\(failureTimes.count) failures within \(DurationFormat.format(restart.crashLoop.within)); "
                    + "retrying every \(DurationFormat.format(restart.backoff.max))"
            ))
        }
        let delay = nextDelay()
        pendingRestartReason = reason
        if delay == .zero {
            restartNow(&actions)
        } else {
            state = crashLooping ? .crashloop : .backoff
            actions.append(.schedule(Timer(.backoff, generation: generation), after: delay))
        }
    }

    /// `initial * multiplier^(failures-1)`, capped at `max` (at `max` in a crash loop), spread by ±jitter.
    private mutating func nextDelay() -> Duration {
        let backoff = configuration.restart.backoff
        let maxSeconds = backoff.max.seconds
        // After ~1,000 failures in a row the growth overflows to infinity, and 0 × ∞ (an
        // `initial: 0s` backoff) is NaN: that must stay 0, not reach `.seconds(_:)`, which traps.
        let grown = backoff.initial.seconds * pow(backoff.multiplier, Double(consecutiveFailures - 1))
        var seconds = crashLooping ? maxSeconds : (grown.isNaN ? 0 : min(grown, maxSeconds))
        if backoff.jitter.value > 0, seconds > 0 {
            seconds *= 1 + backoff.jitter.value * (random.nextUnit() * 2 - 1)
        }
        return .seconds(min(max(seconds, 0), maxSeconds))
    }

    private mutating func restartNow(_ actions: inout [Action]) {
        restarts += 1
        let reason = pendingRestartReason ?? "exit"
        actions.append(.record(.restarted, reason: reason, message: "restart \(restarts) (\(reason)), failure \(consecutiveFailures) in a row"))
        spawn(&actions)
    }

    private mutating func onTimer(_ timer: Timer, _ actions: inout [Action]) {
        guard timer.generation == generation else { return }
        switch timer.kind {
        case .backoff:
            guard state == .backoff || state == .crashloop, wanted else { return }
            restartNow(&actions)
        case .stopTimeout:
            guard state == .stopping else { return }
            actions.append(.record(.stateChanged, reason: nil, message: "did not stop within \(DurationFormat.format(configuration.stop.timeout)); sending SIGKILL to the process group"))
            actions.append(.killGroup)
        case .stable:
            guard state.hasProcess, state != .stopping else { return }
            let hadTrouble = consecutiveFailures > 0 || crashLooping
            consecutiveFailures = 0
            failureTimes.removeAll()
            if hadTrouble {
                let message = crashLooping ? "stable for \(DurationFormat.format(configuration.restart.resetAfter)): crash loop over, backoff reset" : "stable for \(DurationFormat.format(configuration.restart.resetAfter)): backoff reset"
                crashLooping = false
                actions.append(.record(.stateChanged, reason: nil, message: message))
            }
        }
    }
}

// MARK: - Probes

extension InstanceStateMachine {
    private mutating func onProbe(_ kind: ProbeKind, _ result: ProbeResult, _ actions: inout [Action]) {
        guard let probe = configuration.probes[kind] else { return }
        if kind == .startup, startupPassed { return }
        if kind != .startup, !startupPassed { return }
        var streak = probeStreaks[kind] ?? (0, 0)
        switch result {
        case .success:
            streak = (streak.successes + 1, 0)
        case .failure:
            streak = (0, streak.failures + 1)
        }
        probeStreaks[kind] = streak
        switch (kind, result) {
        case (.startup, .success):
            passStartup(&actions)
        case (.startup, .failure(let why)):
            actions.append(.record(.probeFailed, reason: "startup", message: "startup probe failed (\(streak.failures)/\(probe.failureThreshold)): \(why)"))
            if streak.failures >= probe.failureThreshold {
                pendingRestartReason = "liveness"
                beginStop(.failure("liveness"), &actions)
            }
        case (.liveness, .success):
            state = aliveState
        case (.liveness, .failure(let why)):
            actions.append(.record(.probeFailed, reason: "liveness", message: "liveness probe failed (\(streak.failures)/\(probe.failureThreshold)): \(why)"))
            if streak.failures >= probe.failureThreshold {
                pendingRestartReason = "liveness"
                beginStop(.failure("liveness"), &actions)
            } else {
                state = aliveState
            }
        case (.readiness, .success):
            if !isReady, streak.successes >= probe.successThreshold { isReady = true }
            state = aliveState
        case (.readiness, .failure(let why)):
            // Every failure up to the threshold is logged; a not-ready instance probed for hours is not.
            if streak.failures <= probe.failureThreshold {
                actions.append(.record(.probeFailed, reason: "readiness", message: "readiness probe failed (\(streak.failures)/\(probe.failureThreshold)): \(why)"))
            }
            if isReady, streak.failures >= probe.failureThreshold { isReady = false }
            state = aliveState
        }
    }
}
