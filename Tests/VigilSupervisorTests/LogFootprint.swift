import Foundation

/// What one service's logs take on disk: the live file and everything rotated from it.
struct LogFootprint {
    let bytes: UInt64
    /// File names, sorted.
    let names: [String]
    /// The size of the largest file.
    let largestFile: UInt64

    /// Files in `directory` whose names start with `log` (e.g. `flood.log`), each inode counted
    /// once: a listing taken during a rename may name one file twice.
    init(of log: String, in directory: String) {
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix(log) }
        var inodes = Set<UInt64>()
        var bytes: UInt64 = 0
        var largestFile: UInt64 = 0
        for entry in entries {
            var info = stat()
            guard lstat(directory + "/" + entry, &info) == 0, inodes.insert(UInt64(info.st_ino)).inserted else { continue }
            bytes += UInt64(info.st_size)
            largestFile = max(largestFile, UInt64(info.st_size))
        }
        self.bytes = bytes
        self.largestFile = largestFile
        names = entries.sorted()
    }

    /// Files waiting for compression (`.rotating-PID-N`) or partly compressed (`.tmp`).
    var unfinished: [String] { names.filter { $0.contains(".rotating-") || $0.hasSuffix(".tmp") } }
}

/// Samples a log's footprint every 100 ms on its own thread, until stopped: the largest one
/// seen and every sample above a bound.
final class LogFootprintSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private var largest: UInt64 = 0
    private var samples = 0
    private var overBound: [(bytes: UInt64, names: [String])] = []
    private let finished = DispatchSemaphore(value: 0)

    init(log: String, in directory: String, bound: UInt64) {
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                let footprint = LogFootprint(of: log, in: directory)
                lock.withLock {
                    samples += 1
                    largest = max(largest, footprint.bytes)
                    if footprint.bytes > bound, overBound.count < 5 { overBound.append((footprint.bytes, footprint.names)) }
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            finished.signal()
        }
    }

    /// Stops sampling; what was seen.
    func stop() -> (largest: UInt64, samples: Int, overBound: [(bytes: UInt64, names: [String])]) {
        lock.withLock { running = false }
        finished.wait()
        return lock.withLock { (largest, samples, overBound) }
    }
}
