import Foundation
import VigilTestKit
import XCTest

@testable import VigilSupervisor

final class ExecProbeTests: XCTestCase {
    private var watcher: ExitWatcher!

    override func setUpWithError() throws {
        watcher = try ExitWatcher()
    }

    override func tearDown() {
        watcher.shutdown()
    }

    private func probe(_ arguments: [String], directory: String? = nil) -> ExecProbe {
        ExecProbe(arguments: arguments, environment: ["PATH": "/usr/bin:/bin", "ANSWER": "42"], workingDirectory: directory, watcher: watcher)
    }

    func testExitZeroIsSuccessWithEnvironmentAndDirectory() async throws {
        let result = await probe(["sh", "-c", "[ \"$ANSWER\" = 42 ] && [ \"$(pwd)\" = / ]"], directory: "/").check(timeout: .seconds(10))
        XCTAssertEqual(result, .success)
    }

    func testNonZeroExitFails() async {
        let result = await probe(["sh", "-c", "echo noise; exit 3"]).check(timeout: .seconds(10))
        XCTAssertEqual(result, .failure("exited with status 3"))
    }

    func testMissingCommandFails() async {
        let result = await probe(["vigil-no-such-probe"]).check(timeout: .seconds(10))
        guard case .failure(let message) = result else { return XCTFail("expected a failure, got \(result)") }
        XCTAssertTrue(message.hasPrefix("cannot start 'vigil-no-such-probe': No such file or directory"), message)
    }

    func testTimeoutKillsTheWholeGroup() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pidFile = dir.appending("grandchild.pid")
        let result = await probe(["sh", "-c", "sleep 100 & echo $! > \(pidFile); wait"]).check(timeout: .seconds(1))
        XCTAssertEqual(result, .failure("timed out after 1s"))
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let grandchild = try XCTUnwrap(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertTrue(poll { isGone(grandchild) }, "the probe's grandchild should be killed with its group")
    }
}
