import VigilManifest
import XCTest

@testable import VigilSupervisor

/// Drives the lifecycle machine with events and a hand-moved clock: no processes, no sleeps.
final class InstanceStateMachineTests: XCTestCase {
    typealias Machine = InstanceStateMachine
    typealias Action = InstanceStateMachine.Action

    /// A machine plus a clock that only moves when the test says so.
    struct Harness {
        var machine: Machine
        var now = ContinuousClock.now

        init(restart: RestartSpec = .init(), stop: StopSpec = .init(), probes: ProbesSpec = .init(), seed: UInt64 = 42) {
            machine = Machine(configuration: .init(restart: restart, stop: stop, probes: probes), seed: seed)
        }

        @discardableResult
        mutating func send(_ event: Machine.Event) -> [Action] { machine.handle(event, at: now) }

        mutating func advance(_ duration: Duration) { now = now.advanced(by: duration) }

        /// Start and report a spawned pid; returns the actions of the spawn.
        @discardableResult
        mutating func startRunning(pid: Int32 = 100) -> [Action] {
            let start = send(.start)
            XCTAssertTrue(start.contains(.spawn(generation: machine.generation)))
            return send(.spawned(pid: pid))
        }

        /// Crash the running process and return the backoff delay it scheduled (nil: restarted at once or gave up).
        mutating func crash(_ termination: ExitStatus = .exited(1)) -> Duration? {
            scheduledDelay(.backoff, in: send(.exited(termination)))
        }

        /// Fire the pending backoff timer and report the new process as spawned.
        mutating func fireBackoff(pid: Int32) {
            let actions = send(.timerFired(.init(.backoff, generation: machine.generation)))
            XCTAssertTrue(actions.contains(.spawn(generation: machine.generation)), "backoff timer should respawn: \(actions)")
            send(.spawned(pid: pid))
        }

        func scheduledDelay(_ kind: Machine.TimerKind, in actions: [Action]) -> Duration? {
            for case .schedule(let timer, let delay) in actions where timer.kind == kind { return delay }
            return nil
        }
    }

    static let noJitter = BackoffSpec(initial: .milliseconds(100), max: .seconds(30), multiplier: 2, jitter: Ratio(0))

    func testStartWithoutProbesIsReadyOnceSpawned() {
        var h = Harness()
        let actions = h.startRunning(pid: 7)
        XCTAssertEqual(h.machine.state, .ready)
        XCTAssertTrue(h.machine.isReady)
        XCTAssertEqual(h.machine.pid, 7)
        XCTAssertTrue(actions.contains(.record(.spawned, reason: nil, message: "spawned pid 7")))
        XCTAssertEqual(h.scheduledDelay(.stable, in: actions), .seconds(60))
    }

    func testBackoffGrowsExponentiallyAndCapsAtMax() {
        var h = Harness(restart: .init(backoff: .init(initial: .milliseconds(100), max: .seconds(1), multiplier: 2, jitter: Ratio(0)), crashLoop: .init(restarts: 100, within: .seconds(60))))
        h.startRunning()
        var delays: [Duration] = []
        for pid in 101...106 {
            guard let delay = h.crash() else { return XCTFail("no backoff scheduled") }
            XCTAssertEqual(h.machine.state, .backoff)
            delays.append(delay)
            h.advance(delay)
            h.fireBackoff(pid: Int32(pid))
        }
        XCTAssertEqual(delays, [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        XCTAssertEqual(h.machine.restarts, 6)
    }

    func testJitterSpreadsDelaysWithinBoundsAndIsReproducible() {
        func delays(seed: UInt64) -> [Duration] {
            var h = Harness(restart: .init(backoff: .init(initial: .seconds(1), max: .seconds(5), multiplier: 1, jitter: Ratio(0.1)), crashLoop: .init(restarts: 1000, within: .seconds(1))), seed: seed)
            h.startRunning()
            return (0..<20).map { i in
                let delay = h.crash()!
                h.advance(.seconds(5))
                h.fireBackoff(pid: Int32(200 + i))
                return delay
            }
        }
        let first = delays(seed: 1)
        XCTAssertEqual(first, delays(seed: 1), "same seed, same delays")
        XCTAssertNotEqual(first, delays(seed: 2))
        XCTAssertGreaterThan(Set(first).count, 15, "jitter should spread the delays")
        for delay in first {
            XCTAssertGreaterThanOrEqual(delay, .milliseconds(900))
            XCTAssertLessThanOrEqual(delay, .milliseconds(1100))
        }
    }

    func testJitterNeverPushesTheDelayAboveMax() {
        var h = Harness(restart: .init(backoff: .init(initial: .seconds(1), max: .seconds(1), multiplier: 1, jitter: Ratio(0.5)), crashLoop: .init(restarts: 1000, within: .seconds(1))))
        h.startRunning()
        for i in 0..<20 {
            XCTAssertLessThanOrEqual(h.crash()!, .seconds(1))
            h.fireBackoff(pid: Int32(300 + i))
        }
    }

    func testCrashLoopAfterRestartsWithinWindowKeepsRetryingAtMaxDelay() {
        var h = Harness(restart: .init(backoff: Self.noJitter, crashLoop: .init(restarts: 3, within: .seconds(60))))
        h.startRunning()
        var crashloopRecords = 0
        for pid in 1...6 {
            let actions = h.send(.exited(.exited(2)))
            crashloopRecords += actions.filter { if case .record(.crashloop, _, _) = $0 { true } else { false } }.count
            let delay = h.scheduledDelay(.backoff, in: actions)
            if pid < 3 {
                XCTAssertEqual(h.machine.state, .backoff)
            } else {
                XCTAssertEqual(h.machine.state, .crashloop, "failure \(pid)")
                XCTAssertEqual(delay, .seconds(30), "crash loop retries at max delay")
            }
            h.advance(delay!)
            h.fireBackoff(pid: Int32(pid))
        }
        XCTAssertEqual(crashloopRecords, 1, "the crash loop is reported once when it starts")
        XCTAssertTrue(h.machine.crashLooping)
        XCTAssertTrue(h.machine.wanted, "a crash loop never ends supervision")
    }

    func testFailuresOutsideTheWindowDoNotMakeACrashLoop() {
        var h = Harness(restart: .init(backoff: Self.noJitter, crashLoop: .init(restarts: 3, within: .seconds(10))))
        h.startRunning()
        for pid in 1...5 {
            _ = h.crash()
            h.advance(.seconds(11))
            h.fireBackoff(pid: Int32(pid))
        }
        XCTAssertFalse(h.machine.crashLooping)
    }

    func testStableRunResetsBackoffAndEndsCrashLoop() {
        var h = Harness(restart: .init(backoff: Self.noJitter, resetAfter: .seconds(60), crashLoop: .init(restarts: 2, within: .seconds(60))))
        h.startRunning()
        for pid in 1...3 {
            let delay = h.crash()!
            h.advance(delay)
            h.fireBackoff(pid: Int32(pid))
        }
        XCTAssertTrue(h.machine.crashLooping)
        h.advance(.seconds(60))
        let actions = h.send(.timerFired(.init(.stable, generation: h.machine.generation)))
        XCTAssertFalse(h.machine.crashLooping)
        XCTAssertEqual(h.machine.consecutiveFailures, 0)
        XCTAssertTrue(actions.contains { if case .record(.stateChanged, _, let m) = $0 { m.contains("crash loop over") } else { false } })
        XCTAssertEqual(h.crash(), .milliseconds(100), "backoff starts over after a stable run")
    }

    func testStaleStableTimerFromAnEarlierRunIsIgnored() {
        var h = Harness(restart: .init(backoff: Self.noJitter))
        h.startRunning()
        let oldGeneration = h.machine.generation
        _ = h.crash()
        h.fireBackoff(pid: 2)
        _ = h.crash()
        h.send(.timerFired(.init(.stable, generation: oldGeneration)))
        XCTAssertEqual(h.machine.consecutiveFailures, 2)
    }

    func testRestartPolicies() {
        var never = Harness(restart: .init(policy: .never))
        never.startRunning()
        XCTAssertNil(never.crash())
        XCTAssertEqual(never.machine.state, .failed)

        var onFailureClean = Harness(restart: .init(policy: .onFailure))
        onFailureClean.startRunning()
        XCTAssertNil(onFailureClean.crash(.exited(0)))
        XCTAssertEqual(onFailureClean.machine.state, .failed)

        var onFailureCrash = Harness(restart: .init(policy: .onFailure, backoff: Self.noJitter))
        onFailureCrash.startRunning()
        XCTAssertEqual(onFailureCrash.crash(.signaled(11, coreDumped: false)), .milliseconds(100))
        XCTAssertEqual(onFailureCrash.machine.state, .backoff)

        var always = Harness(restart: .init(policy: .always, backoff: Self.noJitter))
        always.startRunning()
        XCTAssertEqual(always.crash(.exited(0)), .milliseconds(100), "always restarts even a clean exit")
    }

    func testZeroInitialBackoffRespawnsImmediately() {
        var h = Harness(restart: .init(backoff: .init(initial: .zero, max: .seconds(1), multiplier: 2, jitter: Ratio(0.1)), crashLoop: .init(restarts: 1000, within: .seconds(1))))
        h.startRunning()
        let gen = h.machine.generation
        let actions = h.send(.exited(.signaled(9, coreDumped: false)))
        XCTAssertTrue(actions.contains(.spawn(generation: gen + 1)))
        XCTAssertTrue(actions.contains(.record(.restarted, reason: "signal", message: "restart 1 (signal), failure 1 in a row")))
        XCTAssertEqual(h.machine.state, .starting)
    }

    /// 0 × 2^1024 is NaN: after 1,024 failures in a row with `initial: 0s` the delay must still be
    /// 0 (Vigil itself crashed converting NaN to a Duration), and never come from the jitter.
    func testZeroInitialBackoffStaysZeroPastAThousandFailuresInARow() {
        var h = Harness(restart: .init(backoff: .init(initial: .zero, max: .seconds(1), multiplier: 2, jitter: Ratio(0.1)), crashLoop: .init(restarts: 1_000_000, within: .seconds(1))))
        h.startRunning()
        for failure in 1...1_100 {
            h.advance(.seconds(2))
            let actions = h.send(.exited(.exited(1)))
            XCTAssertNil(h.scheduledDelay(.backoff, in: actions), "failure \(failure) waits")
            guard actions.contains(.spawn(generation: h.machine.generation)) else {
                return XCTFail("failure \(failure) did not respawn at once: \(actions)")
            }
            h.send(.spawned(pid: Int32(100 + failure)))
        }
    }

    func testStartupProbeGatesLivenessAndReadiness() {
        let probes = ProbesSpec(
            startup: .init(action: .tcp(port: nil), failureThreshold: 3),
            liveness: .init(action: .tcp(port: nil)),
            readiness: .init(action: .tcp(port: nil))
        )
        var h = Harness(probes: probes)
        let spawnActions = h.startRunning()
        let gen = h.machine.generation
        XCTAssertTrue(spawnActions.contains(.activateProbes([.startup], generation: gen)))
        XCTAssertEqual(h.machine.state, .starting)
        h.send(.probe(.readiness, .success, generation: gen))
        XCTAssertEqual(h.machine.state, .starting, "readiness does not count before startup passes")
        let passed = h.send(.probe(.startup, .success, generation: gen))
        XCTAssertTrue(passed.contains(.activateProbes([.liveness, .readiness], generation: gen)))
        XCTAssertEqual(h.machine.state, .running)
        XCTAssertFalse(h.machine.isReady)
    }

    func testStartupProbeFailingThresholdRestartsWithReasonLiveness() {
        var h = Harness(restart: .init(backoff: Self.noJitter), probes: .init(startup: .init(action: .tcp(port: nil), failureThreshold: 2)))
        h.startRunning()
        let gen = h.machine.generation
        h.send(.probe(.startup, .failure("connection refused"), generation: gen))
        XCTAssertEqual(h.machine.state, .starting)
        let actions = h.send(.probe(.startup, .failure("connection refused"), generation: gen))
        XCTAssertEqual(h.machine.state, .stopping)
        XCTAssertTrue(actions.contains(.signalGroup(15)))
        let exit = h.send(.exited(.exited(0)))
        XCTAssertEqual(h.machine.state, .backoff)
        h.fireBackoff(pid: 3)
        _ = exit
        XCTAssertEqual(h.machine.restarts, 1)
    }

    func testReadinessFlipsBothWaysWithThresholds() {
        let readiness = ProbeSpec(action: .http(path: "/ready", port: nil, scheme: "http", headers: [:]), successThreshold: 2, failureThreshold: 2)
        var h = Harness(probes: .init(readiness: readiness))
        h.startRunning()
        let gen = h.machine.generation
        XCTAssertEqual(h.machine.state, .running)
        h.send(.probe(.readiness, .success, generation: gen))
        XCTAssertFalse(h.machine.isReady, "successThreshold 2")
        h.send(.probe(.readiness, .success, generation: gen))
        XCTAssertEqual(h.machine.state, .ready)
        h.send(.probe(.readiness, .failure("status 503"), generation: gen))
        XCTAssertEqual(h.machine.state, .ready, "one failure is below failureThreshold 2")
        h.send(.probe(.readiness, .failure("status 503"), generation: gen))
        XCTAssertEqual(h.machine.state, .running)
        XCTAssertFalse(h.machine.isReady)
        h.send(.probe(.readiness, .success, generation: gen))
        h.send(.probe(.readiness, .success, generation: gen))
        XCTAssertEqual(h.machine.state, .ready)
    }

    func testLivenessFailuresMakeItUnhealthyThenRestartWithReasonLiveness() {
        let liveness = ProbeSpec(action: .http(path: "/health", port: nil, scheme: "http", headers: [:]), failureThreshold: 3)
        var h = Harness(restart: .init(backoff: Self.noJitter), stop: .init(signal: .term, timeout: .seconds(5)), probes: .init(liveness: liveness))
        h.startRunning(pid: 50)
        let gen = h.machine.generation
        h.send(.probe(.liveness, .failure("status 500"), generation: gen))
        XCTAssertEqual(h.machine.state, .unhealthy)
        h.send(.probe(.liveness, .success, generation: gen))
        XCTAssertEqual(h.machine.state, .ready, "a success clears the streak")
        h.send(.probe(.liveness, .failure("status 500"), generation: gen))
        h.send(.probe(.liveness, .failure("status 500"), generation: gen))
        let third = h.send(.probe(.liveness, .failure("status 500"), generation: gen))
        XCTAssertEqual(h.machine.state, .stopping)
        XCTAssertTrue(third.contains(.signalGroup(15)))
        XCTAssertEqual(h.scheduledDelay(.stopTimeout, in: third), .seconds(5))
        XCTAssertEqual(h.crash(.signaled(15, coreDumped: false)), .milliseconds(100))
        let restart = h.send(.timerFired(.init(.backoff, generation: gen)))
        XCTAssertTrue(restart.contains { if case .record(.restarted, "liveness", _) = $0 { true } else { false } }, "\(restart)")
    }

    func testStopEscalatesToSIGKILLAfterTimeoutAndEndsStopped() {
        var h = Harness(stop: .init(signal: SignalName(name: "SIGINT", number: 2), timeout: .seconds(3)))
        h.startRunning()
        let gen = h.machine.generation
        let stop = h.send(.stop)
        XCTAssertEqual(stop.filter { if case .signalGroup = $0 { true } else { false } }, [.signalGroup(2)])
        XCTAssertEqual(h.machine.state, .stopping)
        h.advance(.seconds(3))
        let timeout = h.send(.timerFired(.init(.stopTimeout, generation: gen)))
        XCTAssertTrue(timeout.contains(.killGroup))
        let exit = h.send(.exited(.signaled(9, coreDumped: false)))
        XCTAssertEqual(h.machine.state, .stopped)
        XCTAssertTrue(exit.contains(.killGroup), "leftovers in the group are killed when the leader exits")
        XCTAssertNil(h.machine.pid)
        XCTAssertEqual(h.machine.restarts, 0)
    }

    func testManualRestartIsImmediateAndNotAFailure() {
        var h = Harness(restart: .init(backoff: Self.noJitter))
        h.startRunning()
        h.send(.restart(reason: "manual"))
        XCTAssertEqual(h.machine.state, .stopping)
        let gen = h.machine.generation
        let exit = h.send(.exited(.exited(0)))
        XCTAssertTrue(exit.contains(.spawn(generation: gen + 1)))
        XCTAssertTrue(exit.contains(.record(.restarted, reason: "manual", message: "restarting (manual)")))
        XCTAssertEqual(h.machine.consecutiveFailures, 0)
        XCTAssertEqual(h.machine.restarts, 1)
    }

    func testStopDuringBackoffCancelsTheRestart() {
        var h = Harness(restart: .init(backoff: Self.noJitter))
        h.startRunning()
        _ = h.crash()
        let gen = h.machine.generation
        h.send(.stop)
        XCTAssertEqual(h.machine.state, .stopped)
        XCTAssertEqual(h.send(.timerFired(.init(.backoff, generation: gen))), [], "a stopped instance ignores its old backoff timer")
        XCTAssertEqual(h.machine.state, .stopped)
    }

    func testSpawnFailureBacksOff() {
        var h = Harness(restart: .init(backoff: Self.noJitter))
        h.send(.start)
        let actions = h.send(.spawnFailed("cannot start 'nope': No such file or directory"))
        XCTAssertEqual(h.machine.state, .backoff)
        XCTAssertTrue(actions.contains(.record(.spawnFailed, reason: nil, message: "cannot start 'nope': No such file or directory")))
    }

    func testMemoryKillIsImmediateAndCountsAsFailure() {
        var h = Harness(restart: .init(backoff: Self.noJitter))
        h.startRunning()
        let kill = h.send(.kill(reason: "memory"))
        XCTAssertTrue(kill.contains(.killGroup))
        XCTAssertEqual(h.crash(.signaled(9, coreDumped: false)), .milliseconds(100))
        let restart = h.send(.timerFired(.init(.backoff, generation: h.machine.generation)))
        XCTAssertTrue(restart.contains { if case .record(.restarted, "memory", _) = $0 { true } else { false } })
    }

    func testProbeResultsFromAnEarlierRunAreIgnored() {
        var h = Harness(restart: .init(backoff: Self.noJitter), probes: .init(liveness: .init(action: .tcp(port: nil), failureThreshold: 1)))
        h.startRunning()
        let old = h.machine.generation
        _ = h.crash()
        h.fireBackoff(pid: 9)
        XCTAssertEqual(h.send(.probe(.liveness, .failure("late"), generation: old)), [])
        XCTAssertEqual(h.machine.state, .ready)
    }

    func testStateChangesAreRecorded() {
        var h = Harness()
        h.send(.start)
        let actions = h.send(.spawned(pid: 1))
        XCTAssertTrue(actions.contains(.record(.stateChanged, reason: nil, message: "starting -> ready")))
    }
}
