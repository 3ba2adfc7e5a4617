import CVigilSys
import Glibc

/// Starts child processes for the supervisor, fast and without leaking anything into them.
///
/// Everything that may allocate or take a lock (PATH lookup, user lookup, argv and envp) happens
/// in the parent; the child (a `clone(CLONE_VM | CLONE_VFORK)` child, see `cvigil_spawn`) only
/// makes system calls: joining its cgroup, `setsid`, signal reset, stdio `dup2`, `setgroups`/`setgid`/`setuid`,
/// `chdir`, `close_range(3, ~0)`, `execve`. A failure in any of those comes back as a
/// `LaunchError` carrying the child's errno, and the failed child is already reaped.
///
/// ```swift
/// let child = try ProcessLauncher.launch(LaunchSpec(arguments: ["sleep", "5"], environment: ["PATH": "/usr/bin:/bin"]))
/// watcher.watch(pid: child.pid, pidfd: child.pidfd) { status in print(status) }
/// ```
public enum ProcessLauncher {
    /// Starts `spec`. On return the child has called execve successfully (it may already have exited).
    public static func launch(_ spec: LaunchSpec) throws(LaunchError) -> LaunchedProcess {
        guard let command = spec.arguments.first, !command.isEmpty else {
            throw LaunchError(command: "", reason: "no command given")
        }
        let path = try resolveExecutable(command, environment: spec.environment)
        let identity = try spec.user.map { name throws(LaunchError) in try resolveUser(name, command: command) }
        guard devNull >= 0 else { throw LaunchError(command: command, code: devNullError, context: "open /dev/null") }

        let stdout = try OutputPlumbing(spec.stdout, command: command)
        let stderr: OutputPlumbing
        do {
            stderr = try OutputPlumbing(spec.stderr, command: command)
        } catch {
            stdout.closeChildEnd()
            stdout.closeParentEnd()
            throw error
        }

        var failure = cvigil_spawn_failure()
        let pid = CStringArray.with(spec.arguments) { argv in
            CStringArray.with(spec.environment.map { "\($0.key)=\($0.value)" }) { envp in
                (identity?.groups ?? []).withUnsafeBufferPointer { groups in
                    path.withCString { path in
                        withOptionalCString(spec.workingDirectory) { cwd in
                            var request = cvigil_spawn_request()
                            request.path = path
                            request.argv = argv
                            request.envp = envp
                            request.cwd = cwd
                            request.stdin_fd = devNull
                            request.stdout_fd = stdout.childEnd
                            request.stderr_fd = stderr.childEnd
                            if let cgroup = spec.cgroupProcsDescriptor {
                                request.join_cgroup = 1
                                request.cgroup_procs_fd = cgroup
                            }
                            if let identity {
                                request.switch_user = 1
                                request.uid = identity.uid
                                request.gid = identity.gid
                                request.groups = groups.baseAddress
                                request.group_count = groups.count
                            }
                            return cvigil_spawn(&request, &failure)
                        }
                    }
                }
            }
        }
        stdout.closeChildEnd()
        stderr.closeChildEnd()
        guard pid > 0 else {
            stdout.closeParentEnd()
            stderr.closeParentEnd()
            throw LaunchError(command: command, failure: failure, spec: spec)
        }

        let pidfd = cvigil_pidfd_open(pid)
        guard pidfd >= 0 else {
            let code = errno
            ProcessGroup.signal(pid, SIGKILL)
            while waitpid(pid, nil, 0) < 0 && errno == EINTR {}
            stdout.closeParentEnd()
            stderr.closeParentEnd()
            throw LaunchError(command: command, code: code, context: "pidfd_open")
        }
        return LaunchedProcess(
            pid: pid, pidfd: pidfd, startTime: ProcessStat.startTime(pid: pid) ?? 0,
            stdoutPipe: stdout.parentEnd, stderrPipe: stderr.parentEnd
        )
    }

    /// Opened once, shared by every child as stdin and as the `.discard` target.
    private static let (devNull, devNullError): (Int32, Int32) = {
        let fd = open("/dev/null", O_RDWR | O_CLOEXEC)
        return (fd, fd >= 0 ? 0 : errno)
    }()

    static var devNullDescriptor: Int32 { devNull }
}

/// Calls `body` with a C string, or nil.
private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}

/// A NULL-terminated `char *const *` array, valid only inside `with`.
private enum CStringArray {
    static func with<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension LaunchError {
    /// The child's failed step, as the operator should read it.
    init(command: String, failure: cvigil_spawn_failure, spec: LaunchSpec) {
        let context: String?
        switch failure.stage {
        case CVIGIL_SPAWN_STAGE_CLONE: context = "clone"
        case CVIGIL_SPAWN_STAGE_CGROUP: context = "cannot join the instance's cgroup"
        case CVIGIL_SPAWN_STAGE_SETSID: context = "setsid"
        case CVIGIL_SPAWN_STAGE_DUP: context = "cannot connect stdin/stdout/stderr"
        case CVIGIL_SPAWN_STAGE_SETGROUPS, CVIGIL_SPAWN_STAGE_SETGID, CVIGIL_SPAWN_STAGE_SETUID:
            context = "cannot switch to user '\(spec.user ?? "")'"
        case CVIGIL_SPAWN_STAGE_CHDIR: context = "cannot change directory to '\(spec.workingDirectory ?? "")'"
        default: context = nil
        }
        self.init(command: command, code: failure.error, context: context)
    }
}
