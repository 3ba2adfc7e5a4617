import CVigilSys
import Foundation

/// A rotated log file that was deleted uncompressed because compression was behind the writer.
public struct LogDrop: Sendable, Equatable {
    /// The live file the rotation belonged to.
    public let log: String
    public let bytes: UInt64
    /// True for the first drop of an episode (drops less than 30 s apart are one): report the
    /// episode once, count every file.
    public let startsEpisode: Bool
}

/// Compresses rotated log files for the whole Vigil: one file at a time, on one thread of its
/// own that runs `nice`d, so gzip never competes with exits, probes or the control API.
///
/// Each log's backlog is a ``RotationBacklog``: a rotation adds a waiting file and, when the
/// log's `keep` slots are full, deletes the oldest `.gz` or drops the oldest waiting file. Logs
/// with waiting files take turns (one file each), so a flooding service cannot starve the
/// compression of a quiet one. Nothing here grows with the write rate.
final class LogCompressor: @unchecked Sendable {
    /// The one per Vigil process.
    static let shared = LogCompressor()

    /// gzip level: 1 compresses log text to within a few percent of 6 at a fraction of the CPU.
    static let level: Int32 = 1
    /// The thread's nice value: below supervision, above nothing else that matters.
    static let niceness: Int32 = 10

    private struct Log {
        var backlog: RotationBacklog
        var onDrop: (@Sendable (LogDrop) -> Void)?
    }

    private let condition = NSCondition()
    private var logs: [String: Log] = [:]
    /// Logs with a waiting file, in turn order; each at most once.
    private var turns: [String] = []
    private var started = false

    /// Takes over compression of `path` (a live log): trims `.gz` files beyond `keep`, deletes a
    /// partial output a crash left, and queues aside files a previous Vigil left (oldest first),
    /// dropping what does not fit. A log registered again (a new instance, a reload) keeps its
    /// backlog and takes the new `keep` and handler.
    func register(path: String, keep: Int, onDrop: (@Sendable (LogDrop) -> Void)?) {
        let files = RotatedFiles(path: path)
        let drops: [LogDrop] = condition.withLock {
            startIfNeeded()
            if var log = logs[path] {
                log.backlog.keep = keep
                log.onDrop = onDrop
                logs[path] = log
            } else {
                unlink(files.compressorOutput)
                files.removeBeyond(keep: keep)
                logs[path] = Log(backlog: RotationBacklog(keep: keep, compressed: files.compressedCount(upTo: keep)), onDrop: onDrop)
            }
            return files.leftoverAsides().flatMap { queueLocked(path: path, aside: $0) }
        }
        report(drops, for: path)
    }

    /// `aside` was just renamed from `path`: queue it for compression.
    func rotated(path: String, aside: String) {
        let drops = condition.withLock { queueLocked(path: path, aside: aside) }
        report(drops, for: path)
    }

    /// Blocks until `path` has nothing waiting or being compressed.
    func waitUntilIdle(path: String) {
        condition.withLock {
            while logs[path].map({ !$0.backlog.isIdle }) ?? false { condition.wait() }
        }
    }

    /// Blocks until every log is caught up or `timeout` passes; true when caught up. Vigil's
    /// shutdown waits here so that a clean stop leaves no aside file behind.
    @discardableResult
    func waitUntilIdle(timeout: Duration) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        return condition.withLock {
            while logs.values.contains(where: { !$0.backlog.isIdle }) {
                if !condition.wait(until: deadline) { return false }
            }
            return true
        }
    }

    private func queueLocked(path: String, aside: String) -> [LogDrop] {
        guard var log = logs[path] else { return [] }
        let files = RotatedFiles(path: path)
        let actions = log.backlog.rotated(aside, compressedOnDisk: files.compressedCount(upTo: log.backlog.keep), at: .now)
        logs[path] = log
        if !log.backlog.waiting.isEmpty, !turns.contains(path) {
            turns.append(path)
            condition.broadcast()
        }
        return perform(actions, files: files)
    }

    private func perform(_ actions: [RotationBacklog.Action], files: RotatedFiles) -> [LogDrop] {
        actions.compactMap { action in
            switch action {
            case .trimCompressed(let keepingUpTo):
                files.removeBeyond(keep: keepingUpTo)
                return nil
            case .drop(let aside, let startsEpisode):
                let bytes = RotatedFiles.size(aside)
                unlink(aside)
                return LogDrop(log: files.path, bytes: bytes, startsEpisode: startsEpisode)
            }
        }
    }

    private func report(_ drops: [LogDrop], for path: String) {
        guard !drops.isEmpty, let onDrop = condition.withLock({ logs[path]?.onDrop }) else { return }
        drops.forEach(onDrop)
    }

    private func startIfNeeded() {
        guard !started else { return }
        started = true
        let thread = Thread { [self] in
            cvigil_set_thread_name("vigil-log-gzip")
            _ = cvigil_set_thread_nice(Self.niceness)
            while true { compressNext() }
        }
        thread.start()
    }

    /// Waits for a log's turn, compresses its oldest waiting file, then files the result.
    private func compressNext() {
        let (path, aside) = condition.withLock {
            while true {
                while turns.isEmpty { condition.wait() }
                let path = turns.removeFirst()
                if let aside = logs[path]?.backlog.startNext() { return (path, aside) }
            }
        }
        let files = RotatedFiles(path: path)
        let compressed = cvigil_gzip_file(aside, files.compressorOutput, Self.level) == 0
        let drops: [LogDrop] = condition.withLock {
            guard var log = logs[path] else { return [] }
            let keep = log.backlog.keep
            if compressed {
                files.shift(keep: keep, compressed: true)
                rename(files.compressorOutput, files.rotated(1, compressed: true))
                unlink(aside)
            } else {
                unlink(files.compressorOutput)
            }
            let actions = log.backlog.finished(compressedOnDisk: files.compressedCount(upTo: keep), failed: !compressed, at: .now)
            logs[path] = log
            if !log.backlog.waiting.isEmpty, !turns.contains(path) { turns.append(path) }
            condition.broadcast()
            return perform(actions, files: files)
        }
        report(drops, for: path)
    }
}
