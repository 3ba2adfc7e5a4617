import Foundation
import VigilTestKit
import XCTest

@testable import VigilSupervisor

final class ExitWatcherTests: XCTestCase {
    private var watcher: ExitWatcher!

    override func setUpWithError() throws {
        watcher = try ExitWatcher()
    }

    override func tearDown() {
        watcher.shutdown()
    }

    private func launch(_ script: String) throws -> LaunchedProcess {
        try ProcessLauncher.launch(LaunchSpec(arguments: ["/bin/sh", "-c", script], stdout: .discard, stderr: .discard))
    }

    func testReportsExitStatusAndSignal() async throws {
        let exited = try launch("exit 3")
        let status = await watcher.waitForExit(pid: exited.pid, pidfd: exited.pidfd)
        XCTAssertEqual(status, .exited(3))
        XCTAssertFalse(status.isSuccess)
        XCTAssertNil(status.signalName)
        XCTAssertEqual(status.description, "exit status 3")

        let killed = try launch("kill -KILL $$")
        let signaled = await watcher.waitForExit(pid: killed.pid, pidfd: killed.pidfd)
        XCTAssertEqual(signaled, .signaled(SIGKILL, coreDumped: false))
        XCTAssertEqual(signaled.signalName, "SIGKILL")
        XCTAssertEqual(signaled.description, "killed by SIGKILL")
        XCTAssertEqual(ExitStatus.signaled(SIGSEGV, coreDumped: true).description, "killed by SIGSEGV (core dumped)")
        XCTAssertTrue(ExitStatus.exited(0).isSuccess)
    }

    func testManyConcurrentChildrenAreEachReportedOnce() throws {
        let count = 60
        let exits = ExitCounter()
        var expected: [ExitStatus] = []
        for index in 0..<count {
            let child: LaunchedProcess
            if index % 3 == 0 {
                child = try launch("sleep 0.$((\(index) % 5)); kill -TERM $$")
                expected.append(.signaled(SIGTERM, coreDumped: false))
            } else {
                child = try launch("sleep 0.$((\(index) % 5)); exit \(index)")
                expected.append(.exited(Int32(index)))
            }
            watcher.watch(pid: child.pid, pidfd: child.pidfd) { exits.record($0) }
        }
        XCTAssertTrue(poll { exits.count >= count }, "got \(exits.count) of \(count) exits")
        // A late duplicate report would show up here.
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(exits.count, count)
        XCTAssertEqual(exits.all.map(\.description).sorted(), expected.map(\.description).sorted())
    }

    func testChildThatExitedBeforeWatchIsReported() async throws {
        let child = try launch("exit 7")
        XCTAssertTrue(poll { ProcessStat.read(pid: child.pid)?.state == "Z" }, "the child should become a zombie")
        let status = await watcher.waitForExit(pid: child.pid, pidfd: child.pidfd)
        XCTAssertEqual(status, .exited(7))
        XCTAssertNil(ProcessStat.read(pid: child.pid), "waitid should have reaped it")
    }

    func testWatchAfterShutdownStillReports() async throws {
        watcher.shutdown()
        let child = try launch("exit 4")
        let status = await watcher.waitForExit(pid: child.pid, pidfd: child.pidfd)
        XCTAssertEqual(status, .exited(4))
    }

    func testWatcherReleasedByItsOwnHandlerStopsWithoutDeadlock() throws {
        // The watcher of setUp names its thread once that thread runs.
        XCTAssertTrue(poll { watcherThreads() >= 1 })
        let threadsBefore = watcherThreads()
        let holder = WatcherHolder(try ExitWatcher())
        XCTAssertTrue(poll { watcherThreads() == threadsBefore + 1 })
        let child = try launch("exit 0")
        let reported = ExitFlag()
        holder.watcher?.watch(pid: child.pid, pidfd: child.pidfd) { status in
            // Drops the last reference: the watcher deinitialises on its own thread.
            holder.watcher = nil
            reported.set(status)
        }
        XCTAssertTrue(poll { reported.status != nil })
        XCTAssertEqual(reported.status, .exited(0))
        XCTAssertTrue(poll { watcherThreads() == threadsBefore }, "the watcher thread should end, not wait for itself")
    }

    /// Threads of this process named by `ExitWatcher` (comm is cut to 15 bytes).
    private func watcherThreads() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?.hasPrefix("vigil-exit-watc") == true
        }.count
    }

    func testLeavesOtherChildrenUnreaped() async throws {
        let watched = try launch("exit 0")
        let other = try launch("exit 5")
        _ = await watcher.waitForExit(pid: watched.pid, pidfd: watched.pidfd)
        XCTAssertTrue(poll { ProcessStat.read(pid: other.pid)?.state == "Z" }, "an unwatched child stays for its owner to reap")
        var raw: Int32 = 0
        XCTAssertEqual(waitpid(other.pid, &raw, 0), other.pid)
        XCTAssertEqual((raw >> 8) & 0xff, 5)
        close(other.pidfd)
    }
}

/// Holds a watcher so a handler can drop the last reference to it.
private final class WatcherHolder: @unchecked Sendable {
    var watcher: ExitWatcher?
    init(_ watcher: ExitWatcher) { self.watcher = watcher }
}
