import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// Canary steps end to end: each color gets its share of the requests while a step holds.
final class CanaryIntegrationTests: XCTestCase {
    /// setWeight 10 → pause 10s → setWeight 50 → pause (until `vigil promote`) → setWeight 100.
    ///
    /// A step is held deterministically: the 10% step by a timed pause long enough for a
    /// measured stretch, the 50% step by a pause without duration. A share is measured as the
    /// difference of two snapshots of one steady load, both taken while `vigil status --json`
    /// shows the same step and weights, so no request of the stretch ran under other weights
    /// (up to the few in flight at either snapshot).
    func testCanaryStepsSendEachColorItsShare() throws {
        let harness = try BlueGreenHarness.started { options in
            options.strategy = "canary"
            // Each measured step waits for the operator, so no timer of the rollout can move it on
            // while a loaded machine is still measuring.
            options.steps = "[{setWeight: 10}, {pause: {}}, {setWeight: 50}, {pause: {}}, {setWeight: 100}]"
        }
        let load = harness.startLoad(connections: 4)
        let deploy = try harness.startDeploy("v2")

        let tenPercent = try measureShare(harness, load, greenWeight: 10, phase: "paused", stretch: .seconds(4))
        let resumed = try harness.promote(step: true)
        XCTAssertEqual(resumed.code, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("resumed"), resumed.output)
        let fiftyPercent = try measureShare(harness, load, greenWeight: 50, phase: "paused", stretch: .seconds(4))
        XCTAssertEqual(try harness.promote().code, 0)
        let hundredPercent = try measureShare(harness, load, greenWeight: 100, phase: "verifying", stretch: .seconds(1))

        XCTAssertEqual(deploy.waitForExit(timeout: .seconds(120)), 0, "the canary is promoted:\n\(deploy.output)")
        let result = load.stop()
        XCTAssertEqual(result.failed, 0, result.failureSummary)
        print("canary shares of green: 10% step \(tenPercent), 50% step \(fiftyPercent), 100% step \(hundredPercent)")
        harness.assertSettled(on: "v2")
    }

    /// Waits for the step with `greenWeight` in `phase`, measures the load's color split over
    /// `stretch`, and asserts green's share is within 3 points of its weight.
    private func measureShare(
        _ harness: BlueGreenHarness, _ load: LoopbackLoad, greenWeight: Int, phase: String, stretch: Duration,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> String {
        let holds: (ServiceStatus) -> Bool = { $0.rollout?.phase == phase && $0.rollout?.weights["green"] == greenWeight }
        let before = harness.waitForStatus(timeout: .seconds(60), holds)
        let status = try XCTUnwrap(before, "the rollout should reach green \(greenWeight)% in \(phase): \((try? harness.status()).map { "\($0)" } ?? "")", file: file, line: line)
        let start = load.snapshot
        Thread.sleep(forTimeInterval: Double(stretch.components.seconds))
        let end = load.snapshot
        let after = try harness.status()
        XCTAssertTrue(holds(after), "the step must still hold after the measured stretch (make the pause longer): \(after.rollout.map { "\($0)" } ?? "none")", file: file, line: line)
        let stretchResult = end.since(start)
        XCTAssertEqual(stretchResult.failed, 0, stretchResult.failureSummary, file: file, line: line)
        XCTAssertGreaterThanOrEqual(stretchResult.succeeded, 200, "enough requests to measure a share: \(stretchResult.byColor)", file: file, line: line)
        let share = stretchResult.share(of: "green")
        XCTAssertEqual(share, Double(greenWeight), accuracy: 3, "green's share at weight \(greenWeight): \(stretchResult.byColor) (status \(status.rollout.map { "\($0.weights)" } ?? ""))", file: file, line: line)
        return String(format: "%.1f%% of %d", share, stretchResult.succeeded)
    }
}
