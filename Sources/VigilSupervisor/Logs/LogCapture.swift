import Foundation

/// Copies every child's stdout and stderr into its log file, on one thread for all of them.
///
/// `attach` hands over the read end of a child's pipe (non-blocking, as `ProcessLauncher`
/// creates it). The capture thread moves whatever is available (up to 64 KiB per wake-up and
/// descriptor, so one chatty child cannot starve the others) into the file, with `splice` where
/// it can (see ``RotatingLogFile/take(from:using:)``); at EOF (every writer, grandchildren
/// included, has closed the pipe) it closes the descriptor. Nothing is buffered beyond that
/// one 64 KiB buffer: a child that writes faster than Vigil can store blocks on its full pipe.
///
/// ```swift
/// let log = try RotatingLogFile(path: "\(stateDir)/logs/api.log", maxSize: 10 << 20, keep: 5, compress: true)
/// capture.attach(fd: child.stdoutPipe!, to: log)
/// capture.attach(fd: child.stderrPipe!, to: log)
/// ```
public final class LogCapture: @unchecked Sendable {
    /// `vigil_log_rotations_dropped_total{service}`: see ``LogDropReporter``.
    public static let rotationsDroppedMetric = LogDropReporter.metricName
    /// The capture thread's nice value: above the compressor's, below supervision.
    static let niceness: Int32 = 5

    private let loop: EpollLoop
    private let lock = NSLock()
    private var files: [Int32: RotatingLogFile] = [:]
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    public init() throws {
        loop = try EpollLoop()
        // Below supervision: when the CPU is short, a flooding service waits on its pipe
        // rather than Vigil's exits, probes and control API waiting on its output.
        loop.start(
            name: "vigil-log-capture", nice: Self.niceness,
            onReady: { [unowned self] in self.drain($0, untilEmpty: false) },
            onStop: { [unowned self] in self.drainAll() }
        )
    }

    deinit {
        shutdown()
        buffer.deallocate()
    }

    /// Starts copying `fd` into `file`; takes ownership of `fd` (closed at EOF or shutdown).
    /// After `shutdown()` the descriptor is closed at once.
    public func attach(fd: Int32, to file: RotatingLogFile) {
        lock.withLock { files[fd] = file }
        if loop.add(fd) != nil {
            lock.withLock { _ = files.removeValue(forKey: fd) }
            close(fd)
        }
    }

    /// Copies what is still buffered in every pipe, closes them all, and stops the thread.
    public func shutdown() {
        loop.stop()
    }

    /// Moves what `fd` has now into its log; at EOF or a read error detaches and closes it.
    private func drain(_ fd: Int32, untilEmpty: Bool) {
        guard let file = lock.withLock({ files[fd] }) else { return }
        while true {
            let outcome = file.take(from: fd, using: buffer)
            if outcome == .moved && untilEmpty { continue }
            if outcome != .ended && !untilEmpty { return }
            break
        }
        loop.remove(fd)
        lock.withLock { _ = files.removeValue(forKey: fd) }
        close(fd)
    }

    /// Runs on the capture thread as it stops: everything still in the pipes goes to the files.
    private func drainAll() {
        for fd in lock.withLock({ Array(files.keys) }) {
            drain(fd, untilEmpty: true)
        }
    }
}
