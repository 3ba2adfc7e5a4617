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

    /// Starts the thread, named `name` (15 bytes show in `top -H`). Call once, right after init.
    func start(name: String, onReady: @escaping (Int32) -> Void, onStop: @escaping () -> Void) {
        lock.withLock { started = true }
        let thread = Thread { [self] in
            cvigil_set_thread_name(name)
            lock.withLock { loopThread = pthread_self() }
            var ready = [Int32](repeating: 0, count: 64)
            while !isStopping {
                let count = ready.withUnsafeMutableBufferPointer { cvigil_epoll_wait(epollFD, $0.baseAddress, 64, -1) }
                for index in 0..<max(Int(count), 0) where !isStopping && ready[index] != wakeFD {
                    onReady(ready[index])
                }
            }
            if !lock.withLock({ stoppedFromLoop }) { onStop() }
            close(epollFD)
            close(wakeFD)
            finished.signal()
        }
        thread.start()
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
        let (wasStopping, wasStarted, onLoop) = lock.withLock {
            defer { stopping = true }
            let onLoop = loopThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
            if !stopping && onLoop { stoppedFromLoop = true }
            return (stopping, started, onLoop)
        }
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
