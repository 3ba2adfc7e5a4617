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
/// (`api.log.rotating-PID-N`) and a serial background queue, shared by every log file, shifts,
/// compresses (real gzip, readable by `zcat`) and deletes it, in rotation order. Files left aside
/// by a Vigil that died mid-rotation are compressed when the log is opened again.
/// Writes are thread-safe.
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
    private let pending = DispatchGroup()

    /// One queue for every file: rotations of the same path stay ordered even across instances.
    private static let compressor = DispatchQueue(label: "vigil-log-compress", qos: .utility)
    private static let sequenceLock = NSLock()
    nonisolated(unsafe) private static var sequence = 0

    /// Opens (or creates, mode 0644) `path` for appending; an existing file keeps its content
    /// and counts towards `maxSize`. The directory must exist.
    public init(path: String, maxSize: UInt64, keep: Int, compress: Bool) throws {
        precondition(maxSize > 0, "RotatingLogFile needs a maxSize above zero")
        self.path = path
        self.maxSize = maxSize
        self.keep = max(keep, 0)
        self.compress = compress
        fd = try Self.openForAppend(path)
        var info = stat()
        size = fstat(fd, &info) == 0 ? UInt64(info.st_size) : 0
        if compress && self.keep > 0 {
            leftoverRotations().forEach(queueCompression)
        }
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
        let aside = compress ? Self.asidePath(path) : "\(path).1"
        if !compress { Self.shift(path: path, keep: keep, suffix: "") }
        if keep == 0 {
            _ = ftruncate(fd, 0)
            size = 0
            return
        }
        // When the directory refuses (read-only, full), keep appending to the live file and
        // try again after another maxSize.
        guard rename(path, aside) == 0 else {
            size = 0
            return
        }
        guard let reopened = try? Self.openForAppend(path) else {
            rename(aside, path)
            size = 0
            return
        }
        Glibc.close(fd)
        fd = reopened
        size = 0
        if compress { queueCompression(aside) }
    }

    /// Shifts the `.gz` files and compresses `aside` into `.1.gz`, on the background queue.
    private func queueCompression(_ aside: String) {
        Self.compressor.async(group: pending) { [path, keep] in
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

    /// A name for the live file while it waits for compression, unique across Vigil runs.
    private static func asidePath(_ path: String) -> String {
        let number = sequenceLock.withLock {
            sequence += 1
            return sequence
        }
        return "\(path).rotating-\(getpid())-\(number)"
    }

    /// Files a previous Vigil renamed aside but did not compress, oldest first.
    private func leftoverRotations() -> [String] {
        let directory = (path as NSString).deletingLastPathComponent
        let prefix = (path as NSString).lastPathComponent + ".rotating-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        let leftovers = names.filter { $0.hasPrefix(prefix) }.map { (directory as NSString).appendingPathComponent($0) }
        return leftovers.sorted { Self.modificationTime($0) < Self.modificationTime($1) }
    }

    private static func modificationTime(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec : 0
    }

    private static func openForAppend(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemCallError("open \(path)") }
        return fd
    }
}
