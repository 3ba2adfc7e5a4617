import Foundation
import VigilTestKit
import XCTest

@testable import VigilDeploy

/// Which nginx workers still serve the configuration from before a reload, told apart by the
/// process titles nginx gives them (stand-ins here: `bash -c 'exec -a TITLE sleep'`).
final class NginxRetiringWorkersTests: XCTestCase {
    private func worker(titled title: String) throws -> ProcessHandle {
        let process = try ProcessHandle(executable: "/bin/bash", arguments: ["-c", "exec -a '\(title)' sleep 60"])
        XCTAssertTrue(poll { NginxRetiringWorkers.title(of: process.pid) == title }, "the stand-in did not take its title")
        return process
    }

    func testOldWorkersCountUntilTheyGoAndOthersOnlyWithinTheGrace() throws {
        let old = try worker(titled: "nginx: worker process")
        defer { old.terminate(signal: SIGKILL); _ = old.waitForExit() }
        XCTAssertTrue(NginxRetiringWorkers.workerPids().contains(old.pid), "workers are found by title")
        // Other nginx instances may run on this machine: track only the stand-ins.
        var workers = NginxRetiringWorkers(tracking: [old.pid])
        XCTAssertEqual(workers.count(), 0, "nothing counts before a reload")
        let reload = ContinuousClock.now
        workers.reloaded(at: reload)
        XCTAssertEqual(workers.count(now: reload), 1, "right after the reload the master may not have signalled it yet")
        XCTAssertEqual(workers.count(now: reload + .seconds(3)), 0, "a worker that never started shutting down belongs to another nginx")

        // A worker that says it is shutting down counts for as long as it lives.
        let retiring = try worker(titled: "nginx: worker process is shutting down")
        defer { retiring.terminate(signal: SIGKILL); _ = retiring.waitForExit() }
        var again = NginxRetiringWorkers(tracking: [old.pid, retiring.pid])
        again.reloaded(at: reload)
        XCTAssertEqual(again.count(now: reload + .seconds(30)), 1)
        retiring.terminate(signal: SIGKILL)
        _ = retiring.waitForExit()
        XCTAssertEqual(again.count(now: reload + .seconds(30)), 0, "gone workers no longer hold the drain")
    }
}
