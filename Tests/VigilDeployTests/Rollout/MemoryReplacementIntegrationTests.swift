import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// SPEC 5: a blue-green service over `memory.high` is replaced by a rollout of the same revision,
/// so the leak costs no request.
final class MemoryReplacementIntegrationTests: XCTestCase {
    func testTheActiveColorOverHighIsReplacedWithoutAFailedRequest() throws {
        let harness = try BlueGreenHarness.started { $0.extraYAML = "resources: {memory: {high: 96Mi}}" }
        let before = try XCTUnwrap(harness.waitForStatus { $0.hasReadyActiveInstance && $0.rollout == nil })
        XCTAssertEqual(before.activeColor, "blue")
        let load = harness.startLoad(connections: 4)
        XCTAssertTrue(poll { load.snapshot.succeeded >= 200 }, "the load runs")

        // Only the serving instance leaks: the replacement starts small and stays under high.
        let bluePort = try XCTUnwrap(harness.ports["blue"])
        XCTAssertEqual(SimpleHTTP.get(port: bluePort, path: "/admin/memory?bytes=\(128 << 20)")?.status, 200)

        let replaced = harness.waitForStatus(timeout: .seconds(90)) { $0.activeColor == "green" && $0.rollout == nil && $0.hasReadyActiveInstance }
        XCTAssertNotNil(replaced, "green takes over: \((try? harness.status()).map { "\($0)" } ?? "")")
        let result = load.stop()
        XCTAssertEqual(result.failed, 0, "the replacement costs no request: \(result.failureSummary)")
        XCTAssertGreaterThan(result.byColor["green"] ?? 0, 0, "\(result.byColor)")
        harness.assertSettled(on: firstVersion)

        let events = try harness.vigil.events(service: harness.service)
        let memory = try XCTUnwrap(events.first { $0.kind == .memory }, "\(events.map(\.message))")
        XCTAssertEqual(memory.reason, "high")
        XCTAssertEqual(memory.color, "blue")
        XCTAssertEqual(events.filter { $0.kind == .restarted && $0.reason == "memory" }.count, 1, "\(events.map(\.message))")
        XCTAssertEqual(harness.lastRollout()?.result, "promoted")
        print("memory replacement: \(result.total) requests, \(result.failed) failed, by color \(result.byColor)")
    }
}
