import CVigilSys
import Foundation
import VigilManifest

/// A service's log file that rotates itself at `maxSize`, logrotate style, and stays within a
/// fixed amount of disk whatever the write rate.
///
/// `api.log` is written until the next write would take it past `maxSize`; it is then renamed to
/// `api.log.1` (or `api.log.1.gz` when `compress`), older files shift up by one (`.1` is always
/// the newest) and only `keep` rotated files are kept. A single write larger than `maxSize` is
/// split across files, so no file ever exceeds `maxSize`.
///
/// Writing never waits for gzip: a rotated file is renamed aside (`api.log.rotating-PID-N`) and
/// handed to the ``LogCompressor``, which compresses one file at a time for the whole Vigil and
/// keeps every log within `maxSize × (keep + 1)` plus the one file it is compressing: when it is
/// behind, the oldest rotation still waiting is dropped (`onDrop` hears of it). Aside files
/// a Vigil that died mid-rotation left are taken over when the log is opened again.
///
/// With a `rateLimit`, lines over it are dropped and counted (see ``LogRateLimiter``).
/// Writes are thread-safe.
public final class RotatingLogFile: @unchecked Sendable {
    /// The live file.
    public let path: String
    public let maxSize: UInt64
    /// How many rotated files to keep; 0 keeps none (the live file is truncated at `maxSize`).
    public let keep: Int
    public let compress: Bool

    let lock = NSLock()
    /// Opened without O_APPEND (splice refuses such files); writes go to `size`, the end.
    var fd: Int32
    var size: UInt64
    var rateLimiter: LogRateLimiter?
    /// Cleared when the file's filesystem refuses splice; capture then reads and writes.
    var spliceWorks = true
    private let files: RotatedFiles

    private static let sequenceLock = NSLock()
    nonisolated(unsafe) private static var sequence = 0

    /// Opens (or creates, mode 0644) `path` for appending; an existing file keeps its content
    /// and counts towards `maxSize`. The directory must exist.
    ///
    /// - Parameter onDrop: told of every rotation dropped uncompressed because compression was
    ///   behind (on the compressor's or the writer's thread; keep it short).
    public init(
        path: String, maxSize: UInt64, keep: Int, compress: Bool,
        rateLimit: LogRateLimit? = nil, onDrop: (@Sendable (LogDrop) -> Void)? = nil
    ) throws {
        precondition(maxSize > 0, "RotatingLogFile needs a maxSize above zero")
        self.path = path
        self.maxSize = maxSize
        self.keep = max(keep, 0)
        self.compress = compress
        self.files = RotatedFiles(path: path)
        rateLimiter = rateLimit.map(LogRateLimiter.init)
        fd = try Self.open(path)
        var info = stat()
        size = fstat(fd, &info) == 0 ? UInt64(info.st_size) : 0
        if compress && self.keep > 0 {
            LogCompressor.shared.register(path: path, keep: self.keep, onDrop: onDrop)
        } else {
            adoptLeftoversUncompressed()
        }
    }

    deinit { close() }

    /// The name of rotated file number `index` (1 is the newest).
    public func rotatedPath(_ index: Int) -> String {
        files.rotated(index, compressed: compress)
    }

    /// Appends `bytes`, rotating first when they would take the file past `maxSize`.
    /// After `close()` writes are dropped. A failing disk drops the bytes too: a log must not stop
    /// the service it records.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        lock.withLock { writeLocked(bytes) }
    }

    /// Closes the live file. Compression already queued still completes.
    public func close() {
        lock.withLock {
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }

    /// Blocks until every rotation of this log has been compressed (or dropped).
    public func waitForPendingCompression() {
        LogCompressor.shared.waitUntilIdle(path: path)
    }

    func writeLocked(_ bytes: UnsafeRawBufferPointer) {
        var remaining = bytes
        while !remaining.isEmpty, fd >= 0 {
            // A write that does not fit starts a new file, so lines stay whole where they can.
            if size > 0 && size + UInt64(remaining.count) > maxSize {
                rotateLocked()
                continue
            }
            let room = roomLocked()
            let chunk = UnsafeRawBufferPointer(rebasing: remaining.prefix(Int(min(UInt64(remaining.count), room))))
            let written = pwrite(fd, chunk.baseAddress, chunk.count, off_t(size))
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            size += UInt64(written)
            remaining = UnsafeRawBufferPointer(rebasing: remaining.dropFirst(written))
        }
    }

    /// Bytes the live file takes before the next rotation, rotating first when it is full.
    func roomLocked() -> UInt64 {
        if size >= maxSize { rotateLocked() }
        return maxSize - min(size, maxSize)
    }

    /// Moves the live file aside (or shifts it to `.1`), starts a new one, and hands the aside
    /// file to the compressor.
    private func rotateLocked() {
        if keep == 0 {
            _ = ftruncate(fd, 0)
            size = 0
            return
        }
        let aside = compress ? Self.asidePath(path) : files.rotated(1, compressed: false)
        if !compress { files.shift(keep: keep, compressed: false) }
        // When the directory refuses (read-only, full), keep writing to the live file from its
        // start: the bytes of one file are lost, the bound holds.
        guard rename(path, aside) == 0 else {
            size = 0
            return
        }
        guard let reopened = try? Self.open(path) else {
            rename(aside, path)
            size = 0
            return
        }
        Glibc.close(fd)
        fd = reopened
        size = 0
        if compress { LogCompressor.shared.rotated(path: path, aside: aside) }
    }

    /// Without compression, aside files a crashed Vigil left become the newest rotated files.
    private func adoptLeftoversUncompressed() {
        for aside in files.leftoverAsides() {
            if keep == 0 {
                unlink(aside)
            } else {
                files.shift(keep: keep, compressed: false)
                rename(aside, files.rotated(1, compressed: false))
            }
        }
        files.removeBeyond(keep: keep)
    }

    /// A name for the live file while it waits for compression, unique across Vigil runs.
    private static func asidePath(_ path: String) -> String {
        let number = sequenceLock.withLock {
            sequence += 1
            return sequence
        }
        return "\(path).rotating-\(getpid())-\(number)"
    }

    private static func open(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemCallError("open \(path)") }
        return fd
    }
}
