import CVigilSys
import Foundation

/// An epoll instance served by one dedicated thread: the shared engine of `ExitWatcher` and
/// `LogCapture`.
///
/// Descriptors are watched level-triggered for input; `onReady` runs on the loop thread for each
/// ready descriptor and must not block. `stop()` wakes the thread through an eventfd, waits for
/// it to finish, then runs `onStop` (still on the loop thread) so the owner can drain and close.
final class EpollLoop: @unchecked Sendable {
    private let epollFD: Int32
    private let wakeFD: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopping = false
    private var started = false

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

    /// Starts the thread. Call once, right after init.
    func start(name: String, onReady: @escaping (Int32) -> Void, onStop: @escaping () -> Void) {
        lock.withLock { started = true }
        let thread = Thread { [epollFD, wakeFD, finished] in
            var ready = [Int32](repeating: 0, count: 64)
            var running = true
            while running {
                let count = ready.withUnsafeMutableBufferPointer { cvigil_epoll_wait(epollFD, $0.baseAddress, 64, -1) }
                for index in 0..<max(Int(count), 0) {
                    if ready[index] == wakeFD {
                        cvigil_eventfd_drain(wakeFD)
                        running = false
                    } else {
                        onReady(ready[index])
                    }
                }
            }
            onStop()
            finished.signal()
        }
        thread.name = name
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
        _ = cvigil_epoll_remove(epollFD, fd)
    }

    /// True once `stop()` has begun.
    var isStopping: Bool { lock.withLock { stopping } }

    /// Ends the thread and releases the epoll instance. Idempotent; never call it from `onReady`.
    func stop() {
        let (wasStopping, wasStarted) = lock.withLock {
            defer { stopping = true }
            return (stopping, started)
        }
        guard !wasStopping else { return }
        if wasStarted {
            _ = cvigil_eventfd_signal(wakeFD)
            finished.wait()
        }
        close(epollFD)
        close(wakeFD)
    }
}
