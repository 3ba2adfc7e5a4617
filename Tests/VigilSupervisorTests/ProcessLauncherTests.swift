import Foundation
import VigilTestKit
import XCTest

@testable import VigilSupervisor

final class ProcessLauncherTests: XCTestCase {
    private var watcher: ExitWatcher!

    override func setUpWithError() throws {
        watcher = try ExitWatcher()
    }

    override func tearDown() {
        watcher.shutdown()
    }

    func testCommandIsFoundInPathAndExitsCleanly() async throws {
        let child = try ProcessLauncher.launch(LaunchSpec(arguments: ["true"], environment: ["PATH": "/usr/bin:/bin"]))
        XCTAssertGreaterThan(child.pid, 0)
        XCTAssertGreaterThan(child.startTime, 0)
        let status = await watcher.waitForExit(pid: child.pid, pidfd: child.pidfd)
        XCTAssertEqual(status, .exited(0))
        child.closePipes()
    }

    func testMissingCommandIsNamedInTheError() {
        XCTAssertThrowsError(try ProcessLauncher.launch(LaunchSpec(arguments: ["vigil-no-such-command"], environment: ["PATH": "/usr/bin:/bin"]))) { error in
            let launch = error as? LaunchError
            XCTAssertEqual(launch?.code, ENOENT)
            XCTAssertTrue("\(error)".hasPrefix("cannot start 'vigil-no-such-command': No such file or directory"), "\(error)")
        }
        XCTAssertThrowsError(try ProcessLauncher.launch(LaunchSpec(arguments: ["/nonexistent/tool"]))) { error in
            XCTAssertEqual("\(error)", "cannot start '/nonexistent/tool': No such file or directory")
        }
    }

    func testFailedChildSetupReportsTheStepAndErrno() throws {
        XCTAssertThrowsError(try ProcessLauncher.launch(LaunchSpec(arguments: ["/bin/true"], workingDirectory: "/nonexistent-dir"))) { error in
            XCTAssertEqual("\(error)", "cannot start '/bin/true': cannot change directory to '/nonexistent-dir': No such file or directory")
        }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = dir.appending("not-executable.sh")
        try "#!/bin/sh\n".write(toFile: script, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ProcessLauncher.launch(LaunchSpec(arguments: [script]))) { error in
            XCTAssertEqual((error as? LaunchError)?.code, EACCES, "\(error)")
        }
        XCTAssertThrowsError(try ProcessLauncher.launch(LaunchSpec(arguments: ["/bin/true"], user: "vigil-no-such-user"))) { error in
            XCTAssertEqual("\(error)", "cannot start '/bin/true': unknown user 'vigil-no-such-user'")
        }
    }

    func testEnvironmentArgumentsAndWorkingDirectoryReachTheChild() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let child = try ProcessLauncher.launch(LaunchSpec(
            arguments: ["/bin/sh", "-c", "echo \"$GREETING|$1|$(pwd)|$(env | wc -l)\"", "sh", "two words"],
            environment: ["GREETING": "hello vigil"],
            workingDirectory: dir.path
        ))
        let output = try XCTUnwrap(readToEnd(child.stdoutPipe))
        child.closePipes()
        // env inside sh lists GREETING, PWD and sh's own defaults only: nothing leaked from the test process.
        let fields = output.trimmingCharacters(in: .newlines).split(separator: "|", omittingEmptySubsequences: false)
        XCTAssertEqual(fields.prefix(3), ["hello vigil", "two words", Substring(dir.path)], output)
        XCTAssertLessThan(Int(fields.last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 99, 6, output)
        let status = await watcher.waitForExit(pid: child.pid, pidfd: child.pidfd)
        XCTAssertEqual(status, .exited(0))
    }

    func testStdoutAndStderrAreSeparatePipesAndStdinIsDevNull() async throws {
        let child = try ProcessLauncher.launch(LaunchSpec(arguments: ["/bin/sh", "-c", "cat; echo out; echo err >&2"]))
        XCTAssertEqual(readToEnd(child.stdoutPipe), "out\n")
        XCTAssertEqual(readToEnd(child.stderrPipe), "err\n")
        child.closePipes()
        let status = await watcher.waitForExit(pid: child.pid, pidfd: child.pidfd)
        XCTAssertEqual(status, .exited(0))
    }

    func testOnlyStandardDescriptorsAndDefaultSignalsReachTheChild() async throws {
        // The test process holds plenty of descriptors (epoll, eventfd, pipes); none may leak.
        let child = try ProcessLauncher.launch(LaunchSpec(
            arguments: ["/bin/sh", "-c", "ls /proc/self/fd | wc -l; grep -E '^Sig(Blk|Ign)' /proc/self/status"],
            stderr: .discard
        ))
        let output = try XCTUnwrap(readToEnd(child.stdoutPipe))
        child.closePipes()
        let lines = output.split(separator: "\n")
        // 0, 1, 2 and the descriptor ls opens for /proc/self/fd itself.
        XCTAssertEqual(lines.first.map(String.init), "4", output)
        XCTAssertTrue(lines.contains("SigBlk:\t0000000000000000"), output)
        XCTAssertTrue(lines.contains("SigIgn:\t0000000000000000"), output)
        _ = await watcher.waitForExit(pid: child.pid, pidfd: child.pidfd)
    }

    func testRunsAsTheRequestedUser() async throws {
        try XCTSkipUnless(geteuid() == 0, "switching users needs root")
        let child = try ProcessLauncher.launch(LaunchSpec(arguments: ["/usr/bin/id", "-u"], user: "nobody"))
        let output = readToEnd(child.stdoutPipe)
        child.closePipes()
        let nobody = try XCTUnwrap(getpwnam("nobody")).pointee.pw_uid
        XCTAssertEqual(output, "\(nobody)\n")
        let status = await watcher.waitForExit(pid: child.pid, pidfd: child.pidfd)
        XCTAssertEqual(status, .exited(0))
    }

    func testChildLeadsItsOwnGroupAndGroupKillReachesGrandchildren() async throws {
        let child = try ProcessLauncher.launch(LaunchSpec(
            arguments: ["/bin/sh", "-c", "sleep 100 & echo $!; wait"], stderr: .discard
        ))
        let grandchild = try XCTUnwrap(readLine(child.stdoutPipe).flatMap { pid_t($0) })
        let stat = try XCTUnwrap(ProcessStat.read(pid: child.pid))
        XCTAssertEqual(stat.pgid, child.pid)
        XCTAssertEqual(stat.ppid, getpid())
        XCTAssertEqual(getsid(child.pid), child.pid)
        XCTAssertEqual(ProcessStat.read(pid: grandchild)?.pgid, child.pid)
        XCTAssertEqual(Set(ProcessStat.members(ofGroup: child.pid)), [child.pid, grandchild])
        XCTAssertTrue(ProcessGroup.exists(child.pid))

        XCTAssertTrue(ProcessGroup.signal(child.pid, SIGKILL))
        let status = await watcher.waitForExit(pid: child.pid, pidfd: child.pidfd)
        XCTAssertEqual(status, .signaled(SIGKILL, coreDumped: false))
        // The grandchild is reparented to init once killed (a zombie until init reaps it).
        XCTAssertTrue(poll { isGone(grandchild) }, "the grandchild should die with its group")
        child.closePipes()
    }

    func testGroupWhoseMembersAreAllZombiesDoesNotExist() throws {
        let child = try ProcessLauncher.launch(LaunchSpec(arguments: ["/bin/sleep", "0.1"], stdout: .discard, stderr: .discard))
        defer { close(child.pidfd) }
        XCTAssertTrue(ProcessGroup.exists(child.pid))
        XCTAssertTrue(poll { ProcessStat.read(pid: child.pid)?.state == "Z" }, "the unreaped child should become a zombie")
        XCTAssertFalse(ProcessGroup.exists(child.pid), "a zombie is not alive")
        XCTAssertEqual(ProcessStat.members(ofGroup: child.pid), [child.pid], "but it is still a member until reaped")
        var raw: Int32 = 0
        XCTAssertEqual(waitpid(child.pid, &raw, 0), child.pid)
        XCTAssertEqual(ProcessStat.members(ofGroup: child.pid), [])
        XCTAssertFalse(ProcessGroup.signal(child.pid, SIGTERM), "no group left to signal")
    }

    func testChildIgnoringSigtermSurvivesItUntilSigkill() async throws {
        let child = try ProcessLauncher.launch(LaunchSpec(
            arguments: ["/bin/sh", "-c", "trap '' TERM; echo ready; sleep 100 & wait"], stderr: .discard
        ))
        XCTAssertEqual(readLine(child.stdoutPipe), "ready")
        let exited = ExitFlag()
        watcher.watch(pid: child.pid, pidfd: child.pidfd) { exited.set($0) }
        XCTAssertTrue(ProcessGroup.signal(child.pid, SIGTERM))
        // sleep inherits the ignored TERM from sh; give a (mis)delivered signal time to act.
        XCTAssertFalse(poll(timeout: .seconds(1)) { exited.status != nil }, "SIGTERM must not end a child that ignores it")
        XCTAssertTrue(ProcessGroup.exists(child.pid))
        XCTAssertTrue(ProcessGroup.signal(child.pid, SIGKILL))
        XCTAssertTrue(poll { exited.status != nil })
        XCTAssertEqual(exited.status, .signaled(SIGKILL, coreDumped: false))
        child.closePipes()
    }

    func testProcessStatReportsStartTimeAndResidentMemory() async throws {
        let child = try ProcessLauncher.launch(LaunchSpec(arguments: ["/bin/sleep", "100"], stdout: .discard, stderr: .discard))
        defer { ProcessGroup.signal(child.pid, SIGKILL) }
        let stat = try XCTUnwrap(ProcessStat.read(pid: child.pid))
        XCTAssertEqual(stat.startTime, child.startTime)
        XCTAssertTrue(["S", "R", "D"].contains(stat.state), "state \(stat.state)")
        // RSS grows while the dynamic loader runs; compare once sleep has settled.
        var kernelRSS: UInt64 = 0
        XCTAssertTrue(poll {
            kernelRSS = vmRSS(pid: child.pid)
            return ProcessStat.read(pid: child.pid)?.residentBytes == kernelRSS && vmRSS(pid: child.pid) == kernelRSS
        }, "statm and VmRSS should agree: \(kernelRSS) vs \(ProcessStat.read(pid: child.pid)?.residentBytes ?? 0)")
        XCTAssertGreaterThan(stat.residentBytes, 0)
        XCTAssertGreaterThanOrEqual(stat.cpuSeconds, 0)

        let mine = try XCTUnwrap(ProcessStat.read(pid: getpid()))
        XCTAssertLessThanOrEqual(mine.startTime, child.startTime)
        let spinner = try ProcessLauncher.launch(LaunchSpec(arguments: ["/bin/sh", "-c", "while :; do :; done"], stdout: .discard, stderr: .discard))
        XCTAssertTrue(poll { (ProcessStat.read(pid: spinner.pid)?.cpuSeconds ?? 0) >= 0.05 }, "a busy loop should accumulate CPU time")
        ProcessGroup.signal(spinner.pid, SIGKILL)
        _ = await watcher.waitForExit(pid: spinner.pid, pidfd: spinner.pidfd)
        XCTAssertNil(ProcessStat.read(pid: 0))
        ProcessGroup.signal(child.pid, SIGKILL)
        _ = await watcher.waitForExit(pid: child.pid, pidfd: child.pidfd)
        XCTAssertNil(ProcessStat.read(pid: child.pid), "a reaped child has no /proc entry")
    }

    /// A thousand quick children: every one launched, reported once and reaped. (How fast a
    /// launch is, is measured in Benchmarks/ — crash-to-respawn latency — not asserted here.)
    func testAThousandLaunchesAreEachReported() throws {
        let count = 1000
        let exits = ExitCounter()
        for _ in 0..<count {
            let child = try ProcessLauncher.launch(LaunchSpec(arguments: ["/bin/true"], stdout: .discard, stderr: .discard))
            watcher.watch(pid: child.pid, pidfd: child.pidfd) { exits.record($0) }
        }
        XCTAssertTrue(poll { exits.count == count }, "every child should be reported, got \(exits.count)")
        XCTAssertEqual(exits.successes, count)
    }
}

/// Counts exit reports from many children.
final class ExitCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var statuses: [ExitStatus] = []
    var count: Int { lock.withLock { statuses.count } }
    var successes: Int { lock.withLock { statuses.filter(\.isSuccess).count } }
    var all: [ExitStatus] { lock.withLock { statuses } }
    func record(_ status: ExitStatus) { lock.withLock { statuses.append(status) } }
}

/// The status an exit handler saw, readable from the test thread.
final class ExitFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ExitStatus?
    var status: ExitStatus? { lock.withLock { value } }
    func set(_ status: ExitStatus) { lock.withLock { value = status } }
}

extension LaunchedProcess {
    func closePipes() {
        [stdoutPipe, stderrPipe].compactMap { $0 }.forEach { close($0) }
    }
}

/// VmRSS of /proc/PID/status in bytes, 0 when unreadable.
func vmRSS(pid: pid_t) -> UInt64 {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return (line.split(separator: " ").dropFirst().first.flatMap { UInt64($0) } ?? 0) * 1024
}

/// True when `pid` no longer runs: reaped, or a zombie waiting for its (possibly adoptive) parent.
func isGone(_ pid: pid_t) -> Bool {
    (ProcessStat.read(pid: pid)?.state ?? "Z") == "Z"
}

/// Everything a non-blocking pipe delivers until EOF (or 20 s).
func readToEnd(_ fd: Int32?) -> String? {
    guard let fd else { return nil }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    let deadline = ContinuousClock.now + .seconds(20)
    while ContinuousClock.now < deadline {
        var pollfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = Glibc.poll(&pollfd, 1, 100)
        let count = read(fd, &chunk, chunk.count)
        if count == 0 { return String(decoding: bytes, as: UTF8.self) }
        if count > 0 { bytes += chunk.prefix(count) }
    }
    return nil
}

/// The first line a non-blocking pipe delivers, without its newline (or nil after 20 s).
func readLine(_ fd: Int32?) -> String? {
    guard let fd else { return nil }
    var bytes: [UInt8] = []
    var byte: UInt8 = 0
    let deadline = ContinuousClock.now + .seconds(20)
    while ContinuousClock.now < deadline {
        var pollfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = Glibc.poll(&pollfd, 1, 100)
        let count = read(fd, &byte, 1)
        if count == 0 { return nil }
        if count == 1 {
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
    return nil
}
