import CVigilSys
import Dispatch
import Foundation

/// A service's log file that rotates itself at `maxSize`, logrotate style.
///
/// `api.log` is written until the next write would take it past `maxSize`; it is then renamed to
/// `api.log.1` (or `api.log.1.gz` when `compress`), older files shift up by one (`.1` is always
/// the newest) and only `keep` rotated files are kept. A single write larger than `maxSize` is
/// split across files, so no file ever exceeds `maxSize`.
///
/// Writing never waits for gzip: a rotated file is first renamed aside
/// (`api.log.rotating-N`) and a serial background queue shifts, compresses (real gzip, readable
/// by `zcat`) and deletes it, in rotation order. Writes are thread-safe.
public final class RotatingLogFile: @unchecked Sendable {
    /// The live file.
    public let path: String
    public let maxSize: UInt64
    /// How many rotated files to keep; 0 keeps none (the live file is truncated at `maxSize`).
    public let keep: Int
    public let compress: Bool

    private let lock = NSLock()
    private var fd: Int32
    private var size: UInt64
    private var rotations = 0
    private let compressor: DispatchQueue
    private let pending = DispatchGroup()

    /// Opens (or creates, mode 0644) `path` for appending; an existing file keeps its content
    /// and counts towards `maxSize`. The directory must exist.
    public init(path: String, maxSize: UInt64, keep: Int, compress: Bool) throws {
        precondition(maxSize > 0, "RotatingLogFile needs a maxSize above zero")
        self.path = path
        self.maxSize = maxSize
        self.keep = max(keep, 0)
        self.compress = compress
        self.compressor = DispatchQueue(label: "vigil-log-compress")
        fd = try Self.openForAppend(path)
        var info = stat()
        size = fstat(fd, &info) == 0 ? UInt64(info.st_size) : 0
    }

    deinit { close() }

    /// The name of rotated file number `index` (1 is the newest).
    public func rotatedPath(_ index: Int) -> String {
        "\(path).\(index)" + (compress ? ".gz" : "")
    }

    /// Appends `bytes`, rotating first when they would take the file past `maxSize`.
    /// After `close()` writes are dropped. A failing disk drops the bytes too: a log must not stop
    /// the service it records.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        lock.lock()
        defer { lock.unlock() }
        var remaining = bytes
        while !remaining.isEmpty, fd >= 0 {
            if size >= maxSize || (size > 0 && size + UInt64(remaining.count) > maxSize) {
                rotateLocked()
                continue
            }
            let chunk = UnsafeRawBufferPointer(rebasing: remaining.prefix(Int(min(UInt64(remaining.count), maxSize - size))))
            let written = Glibc.write(fd, chunk.baseAddress, chunk.count)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            size += UInt64(written)
            remaining = UnsafeRawBufferPointer(rebasing: remaining.dropFirst(written))
        }
    }

    /// Closes the live file. Compression already queued still completes.
    public func close() {
        lock.withLock {
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }

    /// Blocks until every queued rotation has been shifted and compressed.
    public func waitForPendingCompression() {
        pending.wait()
    }

    /// Moves the live file aside, starts a new one, and queues the shift (and compression).
    private func rotateLocked() {
        rotations += 1
        let aside = compress ? "\(path).rotating-\(rotations)" : "\(path).1"
        if !compress { Self.shift(path: path, keep: keep, suffix: "") }
        if keep == 0 {
            _ = ftruncate(fd, 0)
            size = 0
            return
        }
        guard rename(path, aside) == 0, let reopened = try? Self.openForAppend(path) else {
            // Cannot rotate (read-only directory?): keep appending to the live file.
            size = 0
            return
        }
        Glibc.close(fd)
        fd = reopened
        size = 0
        guard compress else { return }
        compressor.async(group: pending) { [path, keep] in
            Self.shift(path: path, keep: keep, suffix: ".gz")
            let destination = "\(path).1.gz"
            if cvigil_gzip_file(aside, destination + ".tmp", 6) == 0, rename(destination + ".tmp", destination) == 0 {
                unlink(aside)
            } else {
                // Keep the bytes uncompressed rather than lose them.
                unlink(destination + ".tmp")
                rename(aside, "\(path).1")
            }
        }
    }

    /// Deletes rotated file `keep` and renames `i` to `i + 1` for the others, freeing `.1`.
    private static func shift(path: String, keep: Int, suffix: String) {
        guard keep > 0 else { return }
        unlink("\(path).\(keep)\(suffix)")
        for index in stride(from: keep - 1, through: 1, by: -1) {
            rename("\(path).\(index)\(suffix)", "\(path).\(index + 1)\(suffix)")
        }
    }

    private static func openForAppend(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemCallError("open \(path)") }
        return fd
    }
}
