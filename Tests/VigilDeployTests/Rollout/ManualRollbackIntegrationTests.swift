import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// `vigil rollback` on demand: traffic is back on the old version as soon as the command
/// returns — no analysis, no pause, no cold start, no failed request.
final class ManualRollbackIntegrationTests: XCTestCase {
    /// During the rollout: v2 has all the traffic and is being judged (a long window holds
    /// `verifying`); the old color still runs.
    func testRollbackDuringRolloutReturnsTrafficAtOnce() throws {
        let harness = try BlueGreenHarness.started { options in
            options.analysisWindow = "60s"
        }
        let blue = try XCTUnwrap(harness.fixtures.first)
        let load = harness.startLoad(connections: 4)
        let deploy = try harness.startDeploy("v2")
        XCTAssertNotNil(harness.waitForPhase("verifying"), "v2 gets the traffic")
        XCTAssertTrue(poll { load.snapshot.byVersion["v2", default: 0] > 50 }, "v2 serves: \(load.snapshot.byVersion)")

        try assertRollbackReturnsTraffic(harness, load: load, oldPid: blue.pid)
        XCTAssertEqual(deploy.waitForExit(timeout: .seconds(60)), 3, "deploy --wait reports the rollback:\n\(deploy.output)")
        harness.assertRolledBack(because: "rolled back by operator")
        harness.assertSettled(on: firstVersion)
    }

    /// After promotion: v2 is active and the first revision's color stays warm for `scaleDownDelay`.
    func testRollbackAfterPromotionReturnsTrafficToTheWarmColor() throws {
        let harness = try BlueGreenHarness.started { options in
            options.scaleDownDelay = "60s"
        }
        let blue = try XCTUnwrap(harness.fixtures.first)
        let load = harness.startLoad(connections: 4)
        let deploy = try harness.startDeploy("v2")
        let warm = harness.waitForPhase("warm")
        XCTAssertNotNil(warm, "v2 is promoted and blue kept warm")
        XCTAssertEqual(warm?.activeColor, "green")
        XCTAssertEqual(warm?.version, "v2")

        try assertRollbackReturnsTraffic(harness, load: load, oldPid: blue.pid)
        _ = deploy.waitForExit(timeout: .seconds(30))
        harness.assertSettled(on: firstVersion)
    }

    /// `vigil rollback` exits 0; the very next requests (fresh connections) are all the first revision, served by
    /// the same blue process that was running before (warm, not restarted); the steady load
    /// running across it all saw no failure.
    private func assertRollbackReturnsTraffic(_ harness: BlueGreenHarness, load: LoopbackLoad, oldPid: pid_t, file: StaticString = #filePath, line: UInt = #line) throws {
        let rollback = try harness.rollback()
        XCTAssertEqual(rollback.code, 0, rollback.output, file: file, line: line)
        let next = harness.batch(100, connections: 2)
        XCTAssertEqual(next.failed, 0, next.failureSummary, file: file, line: line)
        XCTAssertEqual(next.byVersion, [firstVersion: 100], "the next requests after `vigil rollback` are the old version", file: file, line: line)
        XCTAssertEqual(next.byColor, ["blue": 100], file: file, line: line)
        XCTAssertTrue(isProcessAlive(pid: oldPid), "blue was kept running, not restarted", file: file, line: line)
        let result = load.stop()
        XCTAssertEqual(result.failed, 0, "across deploy and rollback: \(result.failureSummary)", file: file, line: line)
        XCTAssertGreaterThan(result.byVersion["v2"] ?? 0, 0, "\(result.byVersion)", file: file, line: line)
    }
}
