import Glibc

/// How a child's stdout or stderr is connected.
public enum OutputTarget: Sendable {
    /// Written to /dev/null.
    case discard
    /// A new pipe; the read end comes back in `LaunchedProcess` for `LogCapture`.
    case pipe
    /// An open descriptor of Vigil's (a log file, Vigil's own stderr). The launcher does not close it.
    case fileDescriptor(Int32)
}

/// Everything needed to start one child process.
///
/// The child gets exactly `environment` (nothing is inherited from Vigil), stdin from /dev/null,
/// its own session and process group, default signal dispositions and no other descriptors.
public struct LaunchSpec: Sendable {
    /// argv. `arguments[0]` is looked up in the child's `PATH` (else Vigil's) when it has no `/`.
    public var arguments: [String]
    /// The complete environment of the child.
    public var environment: [String: String]
    /// Directory the child starts in; nil keeps Vigil's.
    public var workingDirectory: String?
    /// Run as this user (name or numeric uid): its uid, primary gid and supplementary groups.
    public var user: String?
    public var stdout: OutputTarget
    public var stderr: OutputTarget
    /// An open `cgroup.procs` of the cgroup the child joins before it runs any of its own code
    /// (the caller keeps and closes it); nil leaves the child in Vigil's cgroup.
    public var cgroupProcsDescriptor: Int32?

    public init(
        arguments: [String],
        environment: [String: String] = [:],
        workingDirectory: String? = nil,
        user: String? = nil,
        stdout: OutputTarget = .pipe,
        stderr: OutputTarget = .pipe,
        cgroupProcsDescriptor: Int32? = nil
    ) {
        self.cgroupProcsDescriptor = cgroupProcsDescriptor
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// A child that `ProcessLauncher` started.
public struct LaunchedProcess: Sendable {
    /// The child's pid, which is also its process group id and session id.
    public let pid: pid_t
    /// A pidfd for the child. Hand it to `ExitWatcher`, which reaps the child and closes it.
    public let pidfd: Int32
    /// Field 22 of /proc/PID/stat (clock ticks after boot): with `pid`, identifies this exact
    /// process later, for instance when a restarted Vigil looks for the children of its predecessor.
    public let startTime: UInt64
    /// Read end of the stdout pipe (O_CLOEXEC | O_NONBLOCK) when stdout was `.pipe`.
    public let stdoutPipe: Int32?
    /// Read end of the stderr pipe when stderr was `.pipe`.
    public let stderrPipe: Int32?

    public init(pid: pid_t, pidfd: Int32, startTime: UInt64, stdoutPipe: Int32?, stderrPipe: Int32?) {
        self.pid = pid
        self.pidfd = pidfd
        self.startTime = startTime
        self.stdoutPipe = stdoutPipe
        self.stderrPipe = stderrPipe
    }
}
