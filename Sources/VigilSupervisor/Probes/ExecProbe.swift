import Glibc
import VigilManifest

/// A probe that runs a command: healthy when it exits with status 0.
///
/// It runs as the service's `user:` (its uid, group and supplementary groups), never with more
/// privilege than the service it checks; without `user:`, as Vigil.
///
/// The command runs in its own process group with stdout and stderr discarded. When it outlives
/// the timeout the whole group is SIGKILLed (so a hung `curl` inside a script dies too) and the
/// probe fails with `timed out after 1s`; a non-zero exit fails with `exited with status 3`.
public struct ExecProbe: Probe {
    public let arguments: [String]
    public let environment: [String: String]
    public let workingDirectory: String?
    /// The service's `user:`.
    public let user: String?
    private let watcher: ExitWatcher

    public init(arguments: [String], environment: [String: String], workingDirectory: String?, user: String? = nil, watcher: ExitWatcher) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.watcher = watcher
    }

    public func check(timeout: Duration) async -> ProbeResult {
        let spec = LaunchSpec(
            arguments: arguments, environment: environment, workingDirectory: workingDirectory,
            user: user, stdout: .discard, stderr: .discard
        )
        let child: LaunchedProcess
        do {
            child = try ProcessLauncher.launch(spec)
        } catch {
            return .failure(error.description)
        }
        let pid = child.pid
        let timer = Task<Bool, Never> {
            do { try await Task.sleep(for: timeout) } catch { return false }
            return ProcessGroup.signal(pid, SIGKILL)
        }
        let status = await withTaskCancellationHandler {
            await watcher.waitForExit(pid: pid, pidfd: child.pidfd)
        } onCancel: {
            ProcessGroup.signal(pid, SIGKILL)
        }
        timer.cancel()
        if await timer.value {
            return .failure("timed out after \(DurationFormat.format(timeout))")
        }
        switch status {
        case .exited(0): return .success
        case .exited(let code): return .failure("exited with status \(code)")
        case .signaled: return .failure(status.description)
        }
    }
}
