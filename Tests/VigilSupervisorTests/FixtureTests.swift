import Glibc
import VigilTestKit
import XCTest

/// The test workload itself: every fault the other tests rely on does what its flag promises.
final class FixtureTests: XCTestCase {
    func testServesHealthAndIdentity() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port, arguments: ["--version", "v7"], environment: ["COLOR": "blue"])
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/health")?.status, 200)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/health")?.body, #"{"status":"ok"}"#)
        let root = try XCTUnwrap(SimpleHTTP.get(port: port, path: "/"))
        XCTAssertEqual(root.status, 200)
        XCTAssertTrue(root.body.contains(#""version":"v7""#), root.body)
        XCTAssertTrue(root.body.contains(#""color":"blue""#), root.body)
        XCTAssertTrue(root.body.contains(#""pid":\#(fixture.pid)"#), root.body)
        XCTAssertTrue(root.body.contains(#""port":\#(port)"#), root.body)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/nope")?.status, 404)
        XCTAssertTrue(fixture.output.contains("vigil-fixture listening on 127.0.0.1:\(port) pid=\(fixture.pid) version=v7"))
    }

    func testSigtermExitsZeroWithMessage() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port)
        fixture.terminate(signal: SIGTERM)
        XCTAssertEqual(fixture.waitForExit(), 0)
        XCTAssertTrue(fixture.output.contains("shutting down"), fixture.output)
    }
}
