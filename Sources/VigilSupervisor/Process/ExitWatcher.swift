import CVigilSys
import Foundation

/// Learns when children exit, without polling and without ever calling `waitpid(-1)`.
///
/// One thread waits in epoll on the pidfds of every watched child. When a pidfd becomes readable
/// the child is reaped with `waitid(P_PIDFD)`, its pidfd closed, and the handler called on that
/// thread, so handlers must be quick (hand off to a task or a queue). Only children that were
/// handed to `watch` are reaped: other code that spawns may keep its own.
///
/// ```swift
/// let watcher = try ExitWatcher()
/// let child = try ProcessLauncher.launch(LaunchSpec(arguments: ["/bin/true"]))
/// let status = await watcher.waitForExit(pid: child.pid, pidfd: child.pidfd)  // .exited(0)
/// ```
public final class ExitWatcher: @unchecked Sendable {
    private struct Watch {
        let pid: pid_t
        let onExit: @Sendable (ExitStatus) -> Void
    }

    private let loop: EpollLoop
    private let lock = NSLock()
    private var watches: [Int32: Watch] = [:]

    public init() throws {
        loop = try EpollLoop()
        loop.start(name: "vigil-exit-watcher", onReady: { [unowned self] in self.reap(pidfd: $0) }, onStop: {})
    }

    deinit { shutdown() }

    /// Calls `onExit` once, on the watcher thread, after the child behind `pidfd` has exited and
    /// been reaped. Takes ownership of `pidfd` (closed after the reap).
    ///
    /// A child that already exited is reported at once. After `shutdown()`, or if epoll refuses the
    /// descriptor, a thread of its own waits for the child instead, so `onExit` is still called.
    public func watch(pid: pid_t, pidfd: Int32, onExit: @escaping @Sendable (ExitStatus) -> Void) {
        lock.withLock { watches[pidfd] = Watch(pid: pid, onExit: onExit) }
        guard loop.add(pidfd) != nil else { return }
        lock.withLock { _ = watches.removeValue(forKey: pidfd) }
        let thread = Thread {
            cvigil_set_thread_name("vigil-exit-\(pid)")
            let status = Self.reap(pidfd: pidfd, block: true) ?? .exited(-1)
            close(pidfd)
            onExit(status)
        }
        thread.start()
    }

    /// Waits, without blocking a thread, until the child exits; reaps it and closes `pidfd`.
    public func waitForExit(pid: pid_t, pidfd: Int32) async -> ExitStatus {
        await withCheckedContinuation { continuation in
            watch(pid: pid, pidfd: pidfd) { continuation.resume(returning: $0) }
        }
    }

    /// Returns once the watcher thread has come round to take new work: the heartbeat the
    /// systemd watchdog checks, since a thread stuck in an exit handler would leave every exit
    /// unnoticed. Returns at once after ``shutdown()``.
    public func roundTrip() async {
        await withCheckedContinuation { continuation in
            loop.roundTrip { continuation.resume() }
        }
    }

    /// Stops the watcher thread. Children still being watched are neither reaped nor reported
    /// (their pidfds are closed): stop or wait for every child first. Never call it from a handler,
    /// which runs on the thread it waits for.
    public func shutdown() {
        loop.stop()
        let abandoned = lock.withLock {
            defer { watches.removeAll() }
            return Array(watches.keys)
        }
        abandoned.forEach { close($0) }
    }

    /// Runs on the watcher thread when `pidfd` is readable.
    private func reap(pidfd: Int32) {
        var status: ExitStatus?
        if let reaped = Self.reap(pidfd: pidfd, block: false) {
            status = reaped
        } else if errno != 0 {
            // Reaped elsewhere (someone called waitpid(-1)): the status is lost.
            status = .exited(-1)
        }
        guard let status else { return }
        loop.remove(pidfd)
        let watch = lock.withLock { watches.removeValue(forKey: pidfd) }
        close(pidfd)
        watch?.onExit(status)
    }

    /// The status when the child was reaped; nil with errno 0 when it is still running,
    /// nil with errno set when waitid failed.
    private static func reap(pidfd: Int32, block: Bool) -> ExitStatus? {
        var info = cvigil_exit_info()
        errno = 0
        switch cvigil_waitid_pidfd(pidfd, block ? 1 : 0, &info) {
        case 1:
            return info.signaled != 0 ? .signaled(info.value, coreDumped: info.core_dumped != 0) : .exited(info.value)
        case 0:
            errno = 0
            return nil
        default:
            return nil
        }
    }
}
