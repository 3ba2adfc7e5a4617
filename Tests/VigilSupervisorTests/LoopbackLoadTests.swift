import VigilTestKit
import XCTest

/// The bounded load that rollout tests count failed requests with: it must count exactly, or a
/// "zero failed requests" assertion proves nothing.
final class LoopbackLoadTests: XCTestCase {
    func testCountsSuccessesFailuresAndColorsExactly() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port, arguments: ["--error-rate", "0.2", "--version", "v3"], environment: ["COLOR": "green"])
        let load = LoopbackLoad(port: port, connections: 4, maxRequests: 500)
        load.start()
        let result = load.stop(waitingForBudget: true)
        XCTAssertEqual(result.total, 500, "the request budget bounds the load")
        XCTAssertEqual(result.failed, 100, "the fixture answers exactly 20% with 500: \(result.failureSummary)")
        XCTAssertEqual(result.byStatus, [200: 400, 500: 100])
        XCTAssertEqual(result.byColor, ["green": 400])
        XCTAssertEqual(result.byVersion, ["v3": 400])
        withExtendedLifetime(fixture) {}
    }

    func testRefusedConnectionsAreFailures() throws {
        let port = try freeTCPPort()   // nothing listens there
        let load = LoopbackLoad(port: port, connections: 2, maxRequests: 20)
        load.start()
        let result = load.stop(waitingForBudget: true)
        XCTAssertEqual(result.failed, 20)
        XCTAssertEqual(result.succeeded, 0)
        XCTAssertTrue(result.failures.first?.contains("127.0.0.1:\(port)") == true, result.failureSummary)
    }
}
