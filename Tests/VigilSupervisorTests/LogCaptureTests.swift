import Foundation
import VigilManifest
import VigilTestKit
import XCTest

@testable import VigilSupervisor

/// Drops reported by a log, from whichever thread.
private final class LockedDrops: @unchecked Sendable {
    private let lock = NSLock()
    private var drops: [LogDrop] = []
    var all: [LogDrop] { lock.withLock { drops } }
    func append(_ drop: LogDrop) { lock.withLock { drops.append(drop) } }
}

final class LogCaptureTests: XCTestCase {
    private var dir: TemporaryDirectory!

    override func setUpWithError() throws {
        dir = try TemporaryDirectory()
    }

    override func tearDown() {
        dir.remove()
    }

    private func write(_ text: String, to file: RotatingLogFile) {
        Array(text.utf8).withUnsafeBytes { file.write($0) }
    }

    private func contents(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    func testRotatesBeforePassingMaxSizeAndKeepsNewestFirst() throws {
        let path = dir.appending("api.log")
        let file = try RotatingLogFile(path: path, maxSize: 10, keep: 2, compress: false)
        for line in ["aaaa\n", "bbbb\n", "cccc\n", "dddd\n", "eeee\n", "ffff\n", "gg\n"] {
            write(line, to: file)
        }
        file.close()
        XCTAssertEqual(contents(path), "gg\n")
        XCTAssertEqual(contents(path + ".1"), "eeee\nffff\n")
        XCTAssertEqual(contents(path + ".2"), "cccc\ndddd\n")
        XCTAssertNil(contents(path + ".3"), "only `keep` rotated files stay")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names, ["api.log", "api.log.1", "api.log.2"])
    }

    func testWriteLargerThanMaxSizeIsSplitAndAppendingContinuesAfterReopen() throws {
        let path = dir.appending("big.log")
        let file = try RotatingLogFile(path: path, maxSize: 4, keep: 5, compress: false)
        write("0123456789", to: file)
        file.close()
        XCTAssertEqual(contents(path + ".2"), "0123")
        XCTAssertEqual(contents(path + ".1"), "4567")
        XCTAssertEqual(contents(path), "89")

        let reopened = try RotatingLogFile(path: path, maxSize: 4, keep: 5, compress: false)
        write("ab", to: reopened)
        write("c", to: reopened)
        reopened.close()
        XCTAssertEqual(contents(path), "c", "the existing 2 bytes count towards maxSize")
        XCTAssertEqual(contents(path + ".1"), "89ab")
        write("dropped", to: reopened)
        XCTAssertEqual(contents(path), "c", "writes after close are dropped")
    }

    func testCompressedRotationsAreValidGzip() async throws {
        let path = dir.appending("svc.log")
        let file = try RotatingLogFile(path: path, maxSize: 1000, keep: 3, compress: true)
        var lines: [String] = []
        for index in 0..<200 {
            let line = "line \(index) of the compressed rotation test\n"
            lines.append(line)
            write(line, to: file)
        }
        file.waitForPendingCompression()
        file.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names, ["svc.log", "svc.log.1.gz", "svc.log.2.gz", "svc.log.3.gz"])
        for index in 1...3 {
            let gz = file.rotatedPath(index)
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: gz))
            XCTAssertEqual(Array(bytes.prefix(3)), [0x1f, 0x8b, 0x08], "gzip magic and deflate method in \(gz)")
            let watcher = try ExitWatcher()
            defer { watcher.shutdown() }
            let check = try ProcessLauncher.launch(LaunchSpec(arguments: ["gzip", "-t", gz], environment: ["PATH": "/usr/bin:/bin"], stdout: .discard))
            XCTAssertEqual(readToEnd(check.stderrPipe), "")
            check.closePipes()
            let status = await watcher.waitForExit(pid: check.pid, pidfd: check.pidfd)
            XCTAssertEqual(status, .exited(0), "gzip -t \(gz)")
        }
        // Newest first: the live file ends the text, .1 holds what came right before it.
        let newest = try gunzip(file.rotatedPath(1))
        let live = try XCTUnwrap(contents(path))
        XCTAssertTrue(lines.joined().hasSuffix(newest + live))
        XCTAssertLessThanOrEqual(newest.utf8.count, 1000)
    }

    func testLargeRotationsRoundTripThroughGzip() throws {
        let path = dir.appending("large.log")
        let maxSize: UInt64 = 300_000
        let file = try RotatingLogFile(path: path, maxSize: maxSize, keep: 2, compress: true)
        // Varied text, several deflate chunks per file.
        var generator = SystemRandomNumberGenerator()
        var text = ""
        while text.utf8.count < Int(maxSize) * 2 + 1000 {
            text += "request id=\(generator.next() % 1_000_000) status=\(200 + generator.next() % 4) path=/api/v1/items\n"
        }
        write(text, to: file)
        file.waitForPendingCompression()
        file.close()
        let restored = try gunzip(file.rotatedPath(2)) + gunzip(file.rotatedPath(1)) + XCTUnwrap(contents(path))
        XCTAssertEqual(restored.utf8.count, text.utf8.count)
        XCTAssertTrue(restored == text, "rotated and live files together hold exactly what was written")
        let compressed = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file.rotatedPath(1))[.size] as? Int)
        XCTAssertLessThan(compressed, Int(maxSize) / 2, "gzip should shrink log text")
    }

    func testRotationLeftAsideByACrashIsCompressedOnReopen() throws {
        let path = dir.appending("crash.log")
        XCTAssertTrue(FileManager.default.createFile(atPath: path + ".rotating-1-1", contents: Data("older\n".utf8)))
        XCTAssertTrue(FileManager.default.createFile(atPath: path + ".rotating-1-2", contents: Data("newer\n".utf8)))
        var times = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, path + ".rotating-1-1", &times, 0), 0)
        let file = try RotatingLogFile(path: path, maxSize: 1000, keep: 3, compress: true)
        file.waitForPendingCompression()
        file.close()
        XCTAssertEqual(try gunzip(file.rotatedPath(1)), "newer\n")
        XCTAssertEqual(try gunzip(file.rotatedPath(2)), "older\n")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names, ["crash.log", "crash.log.1.gz", "crash.log.2.gz"])
    }

    func testCaptureCopiesStdoutAndStderrOfAChild() async throws {
        let path = dir.appending("child.log")
        let file = try RotatingLogFile(path: path, maxSize: 1 << 20, keep: 1, compress: false)
        let capture = try LogCapture()
        defer { capture.shutdown() }
        let watcher = try ExitWatcher()
        defer { watcher.shutdown() }
        let child = try ProcessLauncher.launch(LaunchSpec(arguments: [
            "/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2; i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done",
        ]))
        capture.attach(fd: try XCTUnwrap(child.stdoutPipe), to: file)
        capture.attach(fd: try XCTUnwrap(child.stderrPipe), to: file)
        let status = await watcher.waitForExit(pid: child.pid, pidfd: child.pidfd)
        XCTAssertEqual(status, .exited(0))
        XCTAssertTrue(poll {
            let text = contents(path) ?? ""
            return text.contains("to-stdout\n") && text.contains("to-stderr\n") && text.contains("line1999\n")
        }, "the log should hold both streams: \(contents(path)?.suffix(200) ?? "nothing")")
        // Both pipes reached EOF, so capture closed them.
        XCTAssertTrue(poll { fcntl(child.stdoutPipe!, F_GETFD) < 0 && fcntl(child.stderrPipe!, F_GETFD) < 0 })
    }

    func testShutdownFlushesWhatIsStillInThePipe() throws {
        let path = dir.appending("flush.log")
        let file = try RotatingLogFile(path: path, maxSize: 1 << 20, keep: 1, compress: false)
        let capture = try LogCapture()
        var ends: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&ends), 0)
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        capture.attach(fd: ends[0], to: file)
        XCTAssertEqual(Glibc.write(ends[1], "last words\n", 11), 11)
        capture.shutdown()
        close(ends[1])
        XCTAssertEqual(contents(path), "last words\n")
    }

    private func footprint(of log: String) -> LogFootprint {
        LogFootprint(of: (log as NSString).lastPathComponent, in: dir.path)
    }

    func testLeftoversBeyondKeepAreDroppedAtOpenAndCountedAsOneEpisode() throws {
        let path = dir.appending("crashed.log")
        let maxSize: UInt64 = 64 * 1024
        let chunk = Data(repeating: UInt8(ascii: "x"), count: Int(maxSize))
        for index in 1...8 {
            XCTAssertTrue(FileManager.default.createFile(atPath: "\(path).rotating-1-\(index)", contents: chunk))
            var times = [timespec(tv_sec: 1_000_000 + index, tv_nsec: 0), timespec(tv_sec: 1_000_000 + index, tv_nsec: 0)]
            XCTAssertEqual(utimensat(AT_FDCWD, "\(path).rotating-1-\(index)", &times, 0), 0)
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: path + ".1.gz.tmp", contents: chunk), "a partial output")
        let drops = LockedDrops()
        let file = try RotatingLogFile(path: path, maxSize: maxSize, keep: 2, compress: true, onDrop: { drops.append($0) })
        XCTAssertLessThanOrEqual(footprint(of: path).bytes, maxSize * 4, "within the bound right after the open")
        file.waitForPendingCompression()
        file.close()
        XCTAssertEqual(footprint(of: path).names, ["crashed.log", "crashed.log.1.gz", "crashed.log.2.gz"])
        XCTAssertEqual(drops.all.count, 6, "8 leftovers, 2 slots")
        XCTAssertEqual(drops.all.filter(\.startsEpisode).count, 1)
        XCTAssertEqual(drops.all.map(\.bytes), Array(repeating: maxSize, count: 6))
    }

    func testAWriterFasterThanGzipStaysWithinTheBound() throws {
        let path = dir.appending("fast.log")
        let maxSize: UInt64 = 256 * 1024
        let keep = 2
        let file = try RotatingLogFile(path: path, maxSize: maxSize, keep: keep, compress: true)
        // Varied text, so gzip has work to do; 200 rotations as fast as this thread can write.
        var generator = SplitMix64(seed: 42)
        let text = (0..<4000).map { _ in "id=\(generator.next()) status=\(generator.next() % 600)\n" }.joined()
        var largest: UInt64 = 0
        for _ in 0..<(200 * Int(maxSize) / text.utf8.count) {
            write(text, to: file)
            largest = max(largest, footprint(of: path).bytes)
        }
        file.waitForPendingCompression()
        file.close()
        // The live file, `keep` rotated files and the file being compressed (with its partial output).
        XCTAssertLessThanOrEqual(largest, maxSize * UInt64(keep + 2) + maxSize / 2)
        XCTAssertEqual(footprint(of: path).names.filter { $0.contains(".rotating-") }, [])
        XCTAssertEqual(footprint(of: path).names, ["fast.log", "fast.log.1.gz", "fast.log.2.gz"])
    }

    func testCompressionRunsOnOneThreadBelowSupervisionPriority() throws {
        let file = try RotatingLogFile(path: dir.appending("nice.log"), maxSize: 1024, keep: 1, compress: true)
        write(String(repeating: "x", count: 3000), to: file)
        file.waitForPendingCompression()
        file.close()
        // /proc/self/task/TID/stat: "TID (name) state ..." with nice the 17th field after the name.
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        let gzipThreads = tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/stat", encoding: .utf8) }
            .filter { $0.contains("(vigil-log-gzip)") }
        XCTAssertEqual(gzipThreads.count, 1, "one compressor thread per process")
        let fields = try XCTUnwrap(gzipThreads.first?.split(separator: ")").last).split(separator: " ")
        XCTAssertEqual(fields[16], "\(LogCompressor.niceness)")
        XCTAssertGreaterThan(LogCompressor.niceness, 0)
    }

    func testARateLimitedCaptureWritesTheSuppressionMarkerWhenTheWindowEnds() throws {
        let path = dir.appending("limited.log")
        let file = try RotatingLogFile(
            path: path, maxSize: 1 << 20, keep: 1, compress: false, rateLimit: LogRateLimit(amount: .lines(10), per: .milliseconds(500))
        )
        let capture = try LogCapture()
        defer { capture.shutdown() }
        var ends: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&ends), 0)
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        capture.attach(fd: ends[0], to: file)
        let burst = (0..<50).map { "line \($0)\n" }.joined()
        XCTAssertEqual(burst.withCString { Glibc.write(ends[1], $0, strlen($0)) }, burst.utf8.count)
        // The writer falls silent: the timer writes the marker once the window is over.
        XCTAssertTrue(poll { contents(path)?.contains("lines suppressed") ?? false }, contents(path) ?? "no log")
        close(ends[1])
        let text = try XCTUnwrap(contents(path))
        XCTAssertEqual(text, (0..<10).map { "line \($0)\n" }.joined() + "vigil: 40 lines suppressed (logs.rateLimit: 10 lines per 500ms)\n")
    }

    private func gunzip(_ path: String) throws -> String {
        let child = try ProcessLauncher.launch(LaunchSpec(arguments: ["/bin/gzip", "-dc", path]))
        let text = try XCTUnwrap(readToEnd(child.stdoutPipe))
        child.closePipes()
        var raw: Int32 = 0
        XCTAssertEqual(waitpid(child.pid, &raw, 0), child.pid)
        close(child.pidfd)
        return text
    }
}
