import CVigilSys
import Foundation

/// An epoll instance served by one dedicated thread: the shared engine of `ExitWatcher` and
/// `LogCapture`.
///
/// Descriptors are watched level-triggered for input; `onReady` runs on the loop thread for each
/// ready descriptor and must not block. `stop()` wakes the thread through an eventfd, lets it run
/// `onStop` (on the loop thread, so the owner can drain and close) and waits for it to finish.
///
/// `stop()` may even come from inside `onReady`, when the owner is deinitialised on the loop
/// thread because a handler held its last reference: the loop then ends right after that
/// handler, calling nothing more on the owner.
final class EpollLoop: @unchecked Sendable {
    private let epollFD: Int32
    private let wakeFD: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopping = false
    private var started = false
    private var loopThread: pthread_t?
    private var stoppedFromLoop = false
    /// Replies owed to ``roundTrip(_:)`` callers, run by the loop thread on its next wake-up.
    private var pendingReplies: [@Sendable () -> Void] = []

    init() throws {
        epollFD = cvigil_epoll_create()
        guard epollFD >= 0 else { throw SystemCallError("epoll_create1") }
        wakeFD = cvigil_eventfd()
        guard wakeFD >= 0 else {
            let error = SystemCallError("eventfd")
            close(epollFD)
            throw error
        }
        guard cvigil_epoll_add(epollFD, wakeFD) == 0 else {
            let error = SystemCallError("epoll_ctl")
            close(epollFD)
            close(wakeFD)
            throw error
        }
    }

    /// Starts the thread, named `name` (15 bytes show in `top -H`), at `nice` (0: Vigil's own
    /// priority). Call once, right after init.
    func start(name: String, nice: Int32 = 0, onReady: @escaping (Int32) -> Void, onStop: @escaping () -> Void) {
        lock.withLock { started = true }
        let thread = Thread { [self] in
            cvigil_set_thread_name(name)
            if nice != 0 { _ = cvigil_set_thread_nice(nice) }
            lock.withLock { loopThread = pthread_self() }
            var ready = [Int32](repeating: 0, count: 64)
            while !isStopping {
                let count = ready.withUnsafeMutableBufferPointer { cvigil_epoll_wait(epollFD, $0.baseAddress, 64, -1) }
                for index in 0..<max(Int(count), 0) where !isStopping {
                    if ready[index] == wakeFD {
                        answerRoundTrips()
                    } else {
                        onReady(ready[index])
                    }
                }
            }
            if !lock.withLock({ stoppedFromLoop }) { onStop() }
            close(epollFD)
            close(wakeFD)
            finished.signal()
        }
        thread.start()
    }

    /// Calls `reply` on the loop thread once it is back in `epoll_wait` territory: proof that the
    /// thread is not stuck in a handler. The watchdog uses it as the loop's heartbeat.
    ///
    /// A stopped (or stopping) loop replies at once on the caller's thread: it has nothing left
    /// to serve, so it cannot be hung.
    func roundTrip(_ reply: @escaping @Sendable () -> Void) {
        let queued = lock.withLock {
            if stopping || !started { return false }
            pendingReplies.append(reply)
            return true
        }
        guard queued else { return reply() }
        _ = cvigil_eventfd_signal(wakeFD)
    }

    /// Runs on the loop thread when the eventfd fired: drains it (so level-triggered epoll stops
    /// reporting it), then answers every round trip queued before the drain.
    private func answerRoundTrips() {
        cvigil_eventfd_drain(wakeFD)
        let replies = lock.withLock {
            defer { pendingReplies.removeAll() }
            return pendingReplies
        }
        replies.forEach { $0() }
    }

    /// Watches `fd` for input. Returns the errno on failure (ESHUTDOWN once `stop()` has begun).
    func add(_ fd: Int32) -> Int32? {
        lock.withLock {
            if stopping { return ESHUTDOWN }
            return cvigil_epoll_add(epollFD, fd) == 0 ? nil : errno
        }
    }

    /// Stops watching `fd` (before the owner closes it).
    func remove(_ fd: Int32) {
        lock.withLock {
            if !stopping { _ = cvigil_epoll_remove(epollFD, fd) }
        }
    }

    /// True once `stop()` has begun.
    var isStopping: Bool { lock.withLock { stopping } }

    /// Ends the thread (after `onStop`) and releases the epoll instance. Idempotent.
    func stop() {
        let (wasStopping, wasStarted, onLoop, unanswered) = lock.withLock {
            defer {
                stopping = true
                pendingReplies.removeAll()
            }
            let onLoop = loopThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
            if !stopping && onLoop { stoppedFromLoop = true }
            return (stopping, started, onLoop, pendingReplies)
        }
        unanswered.forEach { $0() }
        guard !wasStopping else { return }
        guard wasStarted else {
            close(epollFD)
            close(wakeFD)
            return
        }
        _ = cvigil_eventfd_signal(wakeFD)
        if !onLoop { finished.wait() }
    }
}
