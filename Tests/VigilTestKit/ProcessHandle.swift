import Foundation

/// A process a test launched, in its own process group, with stdout and stderr captured in a
/// file. Everything in its group is SIGKILLed when the handle goes away, so a failing test
/// leaves nothing running.
///
/// Uses `posix_spawn` directly (Foundation.Process has signal-mask and zombie bugs on Linux).
/// The child gets an empty signal mask, default signal actions, stdin from /dev/null and no
/// other inherited descriptors.
///
/// ```swift
/// let fixture = try ProcessHandle(executable: BuiltProducts.fixture, arguments: ["--port", "\(port)"])
/// XCTAssertTrue(fixture.waitForOutput("listening on"))
/// fixture.terminate()
/// XCTAssertEqual(fixture.waitForExit(), 0)
/// ```
public final class ProcessHandle: @unchecked Sendable {
    /// How a reaped process ended.
    public enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)
        /// Someone else reaped it (e.g. an in-process supervisor calling waitpid); status unknown.
        case reapedElsewhere

        /// The shell's convention: the exit code, or 128 + the signal number.
        public var code: Int32 {
            switch self {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            case .reapedElsewhere: -1
            }
        }
    }

    public let pid: pid_t
    /// The file receiving the process's stdout and stderr.
    public let outputPath: String
    private let ownsOutputFile: Bool
    private let lock = NSLock()
    private var ended: Termination?

    /// Starts `executable` (an absolute path) with `arguments`.
    ///
    /// - Parameters:
    ///   - environment: added to (and overriding) the test's own environment, unless
    ///     `inheritEnvironment` is false.
    ///   - outputPath: where stdout and stderr go (appended); by default a fresh file under
    ///     /tmp that is deleted with the handle.
    public init(
        executable: String, arguments: [String] = [], environment: [String: String] = [:],
        inheritEnvironment: Bool = true, workingDirectory: String? = nil, outputPath: String? = nil
    ) throws {
        if let outputPath {
            self.outputPath = outputPath
            ownsOutputFile = false
        } else {
            var template = Array("/tmp/vt-out-XXXXXX".utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw TestKitError("cannot create an output file under /tmp: \(String(cString: strerror(errno)))") }
            Glibc.close(fd)
            self.outputPath = String(cString: template)
            ownsOutputFile = true
        }
        var env = inheritEnvironment ? ProcessInfo.processInfo.environment : [:]
        env.merge(environment) { _, new in new }
        pid = try Self.spawn(
            executable: executable, arguments: arguments, environment: env,
            workingDirectory: workingDirectory, outputPath: self.outputPath
        )
    }

    deinit {
        kill(-pid, SIGKILL)
        if lock.withLock({ ended == nil }) {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        if ownsOutputFile { unlink(outputPath) }
    }

    /// True until the process has exited (a zombie counts as exited; it is reaped here).
    public var isRunning: Bool { reap(block: false) == nil }

    /// How it ended, once it has (nil while running).
    public var termination: Termination? { reap(block: false) }

    /// Sends `signal` to the process, or with `group` to its whole process group.
    public func terminate(signal: Int32 = SIGTERM, group: Bool = false) {
        kill(group ? -pid : pid, signal)
    }

    /// Waits up to `timeout` for the process to exit; returns its exit code (128 + signal
    /// number after a signal death), or nil if it is still running.
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(20)) -> Int32? {
        var result: Termination?
        _ = poll(timeout: timeout, interval: .milliseconds(20)) {
            result = reap(block: false)
            return result != nil
        }
        return result?.code
    }

    /// Everything the process has written to stdout and stderr so far.
    public var output: String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// Waits up to `timeout` for `text` to appear in the output; true if it did.
    public func waitForOutput(_ text: String, timeout: Duration = .seconds(20)) -> Bool {
        poll(timeout: timeout) { output.contains(text) }
    }

    /// Reaps the process if it has exited; remembers the result.
    private func reap(block: Bool) -> Termination? {
        lock.withLock {
            if let ended { return ended }
            var status: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &status, block ? 0 : WNOHANG) } while result < 0 && errno == EINTR
            if result == pid {
                // WIFEXITED / WTERMSIG spelled out: the C macros are not imported into Swift.
                let signal = status & 0x7f
                ended = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
            } else if result < 0 && errno == ECHILD && !isProcessAlive(pid: pid) {
                ended = .reapedElsewhere
            }
            return ended
        }
    }
}
