import Foundation
import VigilTestKit
import XCTest

/// The real `vigil engine serve` binary: starts, serves, stops cleanly on SIGTERM, and a second
/// run on the same database sees the first run's threats.
final class EngineCommandTests: XCTestCase {
    func testServeAnswersStopsOnSigtermAndKeepsItsDataAcrossRestarts() throws {
        let directory = try TemporaryDirectory(prefix: "socx")
        defer { directory.remove() }
        let database = directory.appending("engine.db")

        func start() throws -> (ProcessHandle, UInt16) {
            let port = try freeTCPPort()
            let engine = try ProcessHandle(executable: try BuiltProducts.vigil,
                                           arguments: ["engine", "serve", "--listen", "127.0.0.1:\(port)", "--db", database],
                                           environment: ["MAX_STORED_THREATS": "50"])
            XCTAssertTrue(engine.waitForOutput("listening on http://127.0.0.1:\(port)", timeout: .seconds(30)), engine.output)
            return (engine, port)
        }

        let (first, port) = try start()
        let created = try HTTPTestConnection(port: port).request(method: "POST", path: "/api/threats/trigger",
                                                                 headers: ["Content-Type": "application/json"], body: #"{"scenario":"crypto_surge"}"#)
        XCTAssertEqual(created.status, 201, created.body)
        let id = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])?["id"] as? String)
        first.terminate()
        XCTAssertEqual(first.waitForExit(timeout: .seconds(30)), 0, "SIGTERM is a clean stop: \(first.output)")

        let (second, port2) = try start()
        XCTAssertTrue(second.output.contains("1 stored threats"), second.output)
        let fetched = try HTTPTestConnection(port: port2).request(path: "/api/threats/\(id)")
        XCTAssertEqual(fetched.status, 200)
        XCTAssertTrue(fetched.body.contains("anomaly_detection"))
        second.terminate()
        XCTAssertEqual(second.waitForExit(timeout: .seconds(30)), 0)
    }

    func testBadArgumentsAndDataFilesExitWithAMessage() throws {
        let directory = try TemporaryDirectory(prefix: "socx")
        defer { directory.remove() }
        let badListen = try ProcessHandle(executable: try BuiltProducts.vigil, arguments: ["engine", "serve", "--listen", "nowhere"])
        XCTAssertNotEqual(badListen.waitForExit(timeout: .seconds(30)), 0)
        XCTAssertTrue(badListen.output.contains("--listen"), badListen.output)
        let missing = try ProcessHandle(executable: try BuiltProducts.vigil, arguments: [
            "engine", "serve", "--listen", "127.0.0.1:\(try freeTCPPort())", "--db", directory.appending("e.db"), "--customers", directory.appending("none.yaml"),
        ])
        XCTAssertEqual(missing.waitForExit(timeout: .seconds(30)), 1)
        XCTAssertTrue(missing.output.contains("none.yaml"), missing.output)
    }
}
