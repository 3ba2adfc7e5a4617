import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// `kill -9` of Vigil in each rollout phase, then `vigil up` on the same state dir (SPEC section
/// 4: every step is in `vigil.db` before it takes effect). Whatever the phase, the service must
/// end with exactly one active revision, ready and serving, as `vigil status --json` records
/// it, and never two live processes of one color (the orphan reaper stops what the killed Vigil
/// left before anything starts again).
///
/// Each phase is held deterministically while Vigil is killed: slow readiness (`starting`), a
/// Prometheus check answering no data (`analyzing`, ``FakePrometheus``), a pause step (`paused`,
/// `shifting`), a long analysis window (`verifying`), a request stuck on the old color
/// (`draining`), a long scale-down delay (`warm`), a request stuck on the new color during a
/// rollback (`rolling_back`). What the restarted Vigil does is SPEC's resume rule:
/// before the switch is decided the rollout resumes, after it the promotion completes, a
/// rollback completes.
final class KillRecoveryIntegrationTests: XCTestCase {
    func testKilledWhileStartingResumesAndPromotes() throws {
        let harness = try BlueGreenHarness.started()
        _ = try harness.deploy("v2", env: ["READY_AFTER": "6s"], wait: false)
        XCTAssertNotNil(harness.waitForPhase("starting"))
        try killAndRestart(harness, in: "starting")

        try recover(harness, endingOn: "v2")
    }

    func testKilledWhileAnalyzingGivesTheOldColorTheTrafficAndResumesTheCheck() throws {
        let prometheus = try FakePrometheus(answering: .noData)
        let harness = try BlueGreenHarness.started { options in
            options.prometheus = prometheus.manifestYAML(successCondition: "< 0.01")
            options.progressDeadline = "180s"   // the check, not the deadline, ends the wait
        }
        _ = try harness.deploy("v2", env: [:], wait: false)
        let rollout = try XCTUnwrap(harness.waitForPhase("analyzing")?.rollout)
        XCTAssertTrue(poll(timeout: .seconds(30)) { prometheus.queries >= 2 }, "no data is inconclusive: Vigil asks again")
        try killAndRestart(harness, in: "analyzing")
        let queriesBeforeRestart = prometheus.queries

        try recover(harness, endingOn: "v2") {
            // SPEC: `starting` to `verifying` give the old color all traffic again and resume
            // once the new color is ready; the check is asked again and still holds the rollout.
            let resumed = harness.waitForStatus { $0.rollout?.phase == "analyzing" && prometheus.queries > queriesBeforeRestart }
            XCTAssertNotNil(resumed, "the check runs again after the restart: \(String(describing: try? harness.status()))")
            XCTAssertEqual(resumed?.activeColor, "blue", "\(String(describing: resumed))")
            XCTAssertEqual(resumed?.rollout?.weights, ["blue": 100, "green": 0], "\(String(describing: resumed))")
            XCTAssertEqual(harness.servedVersion(), firstVersion, "the old color serves while the check waits")
            let restarted = try harness.vigil.events(service: harness.service).filter { $0.message.contains("Vigil restarted in phase analyzing") }
            XCTAssertEqual(restarted.count, 1, "the resume is recorded")
            prometheus.answer(.value(0))
        }
        let last = try XCTUnwrap(harness.history().first)
        XCTAssertEqual(last.id, rollout.id, "the recorded rollout resumed; no new one was started")
        XCTAssertEqual(last.result, "promoted", "\(last)")
    }

    func testKilledWhilePausedAtACanaryStepResumesThatStep() throws {
        let harness = try BlueGreenHarness.started { options in
            options.strategy = "canary"
            options.steps = "[{setWeight: 50}, {pause: {}}]"
        }
        _ = try harness.deploy("v2", env: [:], wait: false)
        XCTAssertNotNil(harness.waitForPhase("paused"))
        try killAndRestart(harness, in: "paused")

        try recover(harness, endingOn: "v2") {
            let resumed = harness.waitForPhase("paused")
            XCTAssertEqual(resumed?.rollout?.weights["green"], 50, "the recorded step comes back: \(String(describing: resumed))")
            XCTAssertEqual(try harness.promote().code, 0)
        }
    }

    func testKilledWhileShiftingResumesTheStep() throws {
        let harness = try BlueGreenHarness.started { options in
            options.strategy = "canary"
            options.steps = "[{setWeight: 30}, {pause: 60s}, {setWeight: 100}]"
        }
        let load = harness.startLoad(connections: 2)
        _ = try harness.deploy("v2", env: [:], wait: false)
        XCTAssertNotNil(harness.waitForStatus { $0.rollout?.phase == "shifting" && $0.rollout?.weights["green"] == 30 })
        load.stop()
        try killAndRestart(harness, in: "shifting")

        try recover(harness, endingOn: "v2") {
            let resumed = harness.waitForStatus { $0.rollout?.phase == "shifting" && $0.rollout?.weights["green"] == 30 }
            XCTAssertNotNil(resumed, "the recorded step comes back")
            XCTAssertEqual(try harness.promote().code, 0)
        }
    }

    func testKilledWhileVerifyingSwitchesAgainOnceReady() throws {
        let harness = try BlueGreenHarness.started { options in
            options.analysisWindow = "8s"
        }
        let load = harness.startLoad(connections: 2)
        _ = try harness.deploy("v2", env: [:], wait: false)
        XCTAssertNotNil(harness.waitForPhase("verifying"))
        try killAndRestart(harness, in: "verifying")
        load.stop()

        try recover(harness, endingOn: "v2")
    }

    func testKilledWhileDrainingCompletesThePromotion() throws {
        let harness = try BlueGreenHarness.started { options in
            options.drainTimeout = "60s"
        }
        // One request stuck on blue keeps it draining after the switch.
        let stuck = try holdRequest(on: "blue", of: harness)
        _ = try harness.deploy("v2", env: [:], wait: false)
        XCTAssertNotNil(harness.waitForPhase("verifying"))
        let load = harness.startLoad(connections: 2)
        XCTAssertNotNil(harness.waitForPhase("draining"), "blue drains its stuck request")
        load.stop()
        try killAndRestart(harness, in: "draining")
        stuck.cancel()

        try recover(harness, endingOn: "v2")
    }

    func testKilledWhileWarmCompletesThePromotion() throws {
        let harness = try BlueGreenHarness.started { options in
            options.scaleDownDelay = "60s"
        }
        let load = harness.startLoad(connections: 2)
        _ = try harness.deploy("v2", env: [:], wait: false)
        XCTAssertNotNil(harness.waitForPhase("warm"))
        load.stop()
        try killAndRestart(harness, in: "warm")

        try recover(harness, endingOn: "v2")
    }

    func testKilledWhileRollingBackCompletesTheRollback() throws {
        let harness = try BlueGreenHarness.started { options in
            options.analysisWindow = "60s"
            options.drainTimeout = "60s"
        }
        _ = try harness.deploy("v2", env: [:], wait: false)
        XCTAssertNotNil(harness.waitForPhase("verifying"))
        // One request stuck on green keeps the rollback draining it.
        let stuck = try holdRequest(on: "green", of: harness)
        XCTAssertEqual(try harness.rollback().code, 0)
        XCTAssertNotNil(harness.waitForPhase("rolling_back"))
        try killAndRestart(harness, in: "rolling_back")
        stuck.cancel()

        try recover(harness, endingOn: firstVersion)
        harness.assertRolledBack(because: "rolled back by operator")
    }

    // MARK: - Steps

    /// Asserts the phase is still `phase`, SIGKILLs Vigil (only Vigil: its services keep
    /// running as orphans), and starts `vigil up` again.
    private func killAndRestart(_ harness: BlueGreenHarness, in phase: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let status = try harness.status()
        XCTAssertEqual(status.rollout?.phase, phase, "killed in the wrong phase: \(status)", file: file, line: line)
        let orphans = harness.fixtures
        harness.killVigil()
        XCTAssertFalse(orphans.isEmpty, "the killed Vigil left its colors running", file: file, line: line)
        try harness.restartVigil()
    }

    /// After the restart: waits until a color serves again (the killed Vigil's processes were
    /// stopped by the orphan reaper, so the active color starts afresh), then runs
    /// `operatorSteps` under a light load (analysis needs requests) until the service settles on
    /// `version`. From the moment a color serves, no request may fail: the resumed rollout or
    /// completed rollback drops none. At no sample may two live processes share a color.
    private func recover(
        _ harness: BlueGreenHarness, endingOn version: String, operatorSteps: () throws -> Void = {},
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let watch = DuplicateColorWatch(marker: harness.marker)
        defer { watch.stop() }
        let serving = harness.waitForStatus(timeout: .seconds(60)) { $0.hasReadyActiveInstance && harness.servedVersion() != nil }
        XCTAssertNotNil(serving, "a color serves again after the restart: \(harness.vigil.output.suffix(3000))", file: file, line: line)
        let load = harness.startLoad(connections: 2)
        try operatorSteps()
        harness.assertSettled(on: version, file: file, line: line)
        let result = load.stop()
        print("\(name) after restart: \(result.total) requests, \(result.failed) failed, by version \(result.byVersion)")
        XCTAssertEqual(result.failed, 0, "once a color serves again: \(result.failureSummary)", file: file, line: line)
        XCTAssertEqual(watch.stop(), [], "never two processes of one color", file: file, line: line)
        harness.assertServes(version, file: file, line: line)
    }

    /// Makes `color`'s fixture answer `GET /` after 40s, sends one request through the router
    /// (all traffic is on `color` now), and returns once the fixture holds a request. Cancel
    /// restores the fixture's latency if it is still running.
    private func holdRequest(on color: String, of harness: BlueGreenHarness) throws -> StuckRequest {
        let port = try XCTUnwrap(harness.ports[color])
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/admin/latency?ms=40000")?.status, 200)
        let thread = Thread { _ = SimpleHTTP.get(port: harness.listenPort, path: "/", timeout: .seconds(90)) }
        thread.start()
        let held = poll(timeout: .seconds(20)) { SimpleHTTP.get(port: port, path: "/admin/inflight")?.body.contains(#""inFlight":0"#) == false }
        XCTAssertTrue(held, "the request through the router never reached \(color)'s fixture")
        return StuckRequest(port: port)
    }
}

/// A request held on a color by a long fixture latency.
struct StuckRequest {
    let port: UInt16
    func cancel() { _ = SimpleHTTP.get(port: port, path: "/admin/latency?ms=0", timeout: .seconds(2)) }
}

/// Samples a test's fixture processes every 50ms on a thread of its own and remembers every
/// moment two live processes had the same color.
final class DuplicateColorWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var duplicates: [String] = []
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(marker: String) {
        Thread { [self] in
            while lock.withLock({ running }) {
                let byColor = Dictionary(grouping: FixtureCensus.processes(marker: marker)) { $0.color ?? "?" }
                for (color, processes) in byColor where processes.count > 1 {
                    lock.withLock { if duplicates.count < 10 { duplicates.append("\(color): \(processes)") } }
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            done.signal()
        }.start()
    }

    /// Stops sampling (once) and returns what was seen.
    @discardableResult
    func stop() -> [String] {
        let wasRunning = lock.withLock { () -> Bool in
            defer { running = false }
            return running
        }
        if wasRunning { done.wait() }
        return lock.withLock { duplicates }
    }
}
