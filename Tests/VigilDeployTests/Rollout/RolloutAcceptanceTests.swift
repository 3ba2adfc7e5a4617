import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// Blue-green rollouts end to end (issue 5, "Done when"): a real `vigil up`, real fixture colors,
/// `vigil deploy --wait` from the CLI, a bounded keep-alive load through the builtin router.
///
/// Each bad revision is the good manifest with one fault switched on by `--env` (see
/// ``BlueGreenManifest``), so the only difference the rollout can judge is the fault itself.
/// Conditions are polled with generous timeouts; no wall-clock upper bound is asserted.
final class RolloutAcceptanceTests: XCTestCase {
    func testGoodRevisionUnderLoadIsPromotedWithZeroFailedRequests() throws {
        let harness = try BlueGreenHarness.started()
        let load = harness.startLoad(connections: 6)

        let deploy = try harness.deploy("v2")
        let settled = harness.assertSettled(on: "v2")
        let result = load.stop()
        print("\(name): \(result.total) requests, \(result.failed) failed, by version \(result.byVersion), statuses \(result.byStatus)")

        XCTAssertEqual(deploy.code, 0, "deploy --wait exits 0 when promoted:\n\(deploy.output)")
        harness.assertStreamed(["starting", "verifying", "draining"], in: deploy.output)
        XCTAssertEqual(result.failed, 0, result.failureSummary)
        XCTAssertGreaterThan(result.byVersion[firstVersion] ?? 0, 0, "the first revision served before the switch: \(result.byVersion)")
        XCTAssertGreaterThan(result.byVersion["v2"] ?? 0, 0, "v2 served after it: \(result.byVersion)")
        XCTAssertEqual(settled?.activeColor, "green", "the idle color took over")
        XCTAssertEqual(harness.lastRollout()?.result, "promoted")
        harness.assertServes("v2")
    }

    func testRevisionThatNeverBecomesReadyIsRolledBackWithoutAFailedRequest() throws {
        let harness = try BlueGreenHarness.started { options in
            options.progressDeadline = "6s"
        }
        let load = harness.startLoad(connections: 4)

        let deploy = try harness.deploy("v2", env: ["READY_AFTER": "1h"])
        harness.assertSettled(on: firstVersion)
        let result = load.stop()
        print("\(name): \(result.total) requests, \(result.failed) failed, by version \(result.byVersion), statuses \(result.byStatus)")

        XCTAssertEqual(deploy.code, 3, "deploy --wait exits 3 when rolled back:\n\(deploy.output)")
        XCTAssertTrue(deploy.output.contains("progressDeadline"), "deploy --wait says why:\n\(deploy.output)")
        XCTAssertEqual(result.failed, 0, "the unready color never gets traffic: \(result.failureSummary)")
        XCTAssertEqual(result.byVersion.keys.sorted(), [firstVersion], "\(result.byVersion)")
        harness.assertRolledBack(because: "was not ready within progressDeadline")
        harness.assertServes(firstVersion)
    }

    func testRevisionAnsweringTwentyPercent5xxIsRolledBack() throws {
        let harness = try BlueGreenHarness.started()
        let load = harness.startLoad(connections: 4)

        let deploy = try harness.deploy("v2", env: ["ERROR_RATE": "0.2"])
        harness.assertSettled(on: firstVersion)
        let result = load.stop()
        print("\(name): \(result.total) requests, \(result.failed) failed, by version \(result.byVersion), statuses \(result.byStatus)")

        XCTAssertEqual(deploy.code, 3, "deploy --wait exits 3 when rolled back:\n\(deploy.output)")
        XCTAssertTrue(deploy.output.contains("error rate"), "deploy --wait says why:\n\(deploy.output)")
        // The bad revision did get traffic (that is how it was caught): its 500s are the only failures.
        XCTAssertGreaterThan(result.byStatus[500] ?? 0, 0, "v2's errors reached the load: \(result.byStatus)")
        XCTAssertEqual(result.failed, result.byStatus[500] ?? 0, "no failure but v2's own 500s: \(result.failureSummary)")
        harness.assertRolledBack(because: "error rate")
        harness.assertServes(firstVersion)
    }

    func testRevisionTenTimesSlowerIsRolledBackOnLatency() throws {
        let harness = try BlueGreenHarness.started { options in
            options.env = ["LATENCY": "25ms"]      // the first revision's own pace
            options.maxLatencyP99 = "125ms"       // 5x that; v2 at 250ms is 10x
        }
        let load = harness.startLoad(connections: 8)

        let deploy = try harness.deploy("v2", env: ["LATENCY": "250ms"])
        harness.assertSettled(on: firstVersion)
        let result = load.stop()
        print("\(name): \(result.total) requests, \(result.failed) failed, by version \(result.byVersion), statuses \(result.byStatus)")

        XCTAssertEqual(deploy.code, 3, "deploy --wait exits 3 when rolled back:\n\(deploy.output)")
        XCTAssertTrue(deploy.output.contains("latency p99"), "deploy --wait says why:\n\(deploy.output)")
        XCTAssertEqual(result.failed, 0, "slow is not failed: \(result.failureSummary)")
        harness.assertRolledBack(because: "latency p99")
        harness.assertServes(firstVersion)
    }

    func testRevisionCrashingAfterPromotionIsRolledBack() throws {
        let harness = try BlueGreenHarness.started { options in
            // The post-promotion window outlasts the crash timer, so the crash lands in `verifying`.
            options.analysisWindow = "15s"
        }
        let load = harness.startLoad(connections: 4)

        let deploy = try harness.startDeploy("v2", env: ["CRASH_AFTER": "4s"])
        XCTAssertNotNil(harness.waitForPhase("verifying"), "v2 is promoted before it crashes")
        let code = deploy.waitForExit(timeout: .seconds(120))
        harness.assertSettled(on: firstVersion)
        let result = load.stop()
        print("\(name): \(result.total) requests, \(result.failed) failed, by version \(result.byVersion), statuses \(result.byStatus)")

        XCTAssertEqual(code, 3, "deploy --wait exits 3 when rolled back:\n\(deploy.output)")
        XCTAssertTrue(deploy.output.contains("crash"), "deploy --wait says why:\n\(deploy.output)")
        XCTAssertGreaterThan(result.byVersion["v2"] ?? 0, 0, "v2 served before its crash: \(result.byVersion)")
        harness.assertRolledBack(because: "crash")
        let events = try harness.vigil.events(service: harness.service)
        let verifying = events.firstIndex { $0.kind == .rolloutPhase && $0.reason == "verifying" }
        let rolledBack = events.firstIndex { $0.kind == .rolledBack }
        XCTAssertNotNil(verifying, "\(events.map(\.message))")
        XCTAssertLessThan(verifying ?? .max, rolledBack ?? .min, "the crash rolled back a promoted revision: \(events.map(\.message))")
        harness.assertServes(firstVersion)
    }
}
