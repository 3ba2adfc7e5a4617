import Foundation

/// The names and file operations around one log's rotated files: `api.log.1` ... `api.log.N`
/// (`.gz` when compressed), aside files `api.log.rotating-PID-N` waiting for compression, and
/// `api.log.1.gz.tmp`, the compressor's output until it is complete.
struct RotatedFiles {
    /// The live file.
    let path: String

    func rotated(_ index: Int, compressed: Bool) -> String {
        "\(path).\(index)" + (compressed ? ".gz" : "")
    }

    /// Where the compressor writes before the rename to `.1.gz`.
    var compressorOutput: String { "\(path).1.gz.tmp" }

    /// How many of `.1.gz`, `.2.gz`, ... exist, counting up from 1 until one is missing.
    func compressedCount(upTo keep: Int) -> Int {
        var count = 0
        while count < keep, access(rotated(count + 1, compressed: true), F_OK) == 0 { count += 1 }
        return count
    }

    /// Deletes rotated file `keep` and renames `i` to `i + 1` for the others, freeing `.1`.
    func shift(keep: Int, compressed: Bool) {
        guard keep > 0 else { return }
        unlink(rotated(keep, compressed: compressed))
        for index in stride(from: keep - 1, through: 1, by: -1) {
            rename(rotated(index, compressed: compressed), rotated(index + 1, compressed: compressed))
        }
    }

    /// Deletes rotated files (either kind) numbered above `keep`: what an earlier, larger
    /// `keep` left behind.
    func removeBeyond(keep: Int) {
        let prefix = name + "."
        for entry in entries() where entry.hasPrefix(prefix) {
            var number = entry.dropFirst(prefix.count)
            if number.hasSuffix(".gz") { number = number.dropLast(3) }
            if let index = Int(number), index > keep { unlink(directory + "/" + entry) }
        }
    }

    /// Aside files a previous Vigil left (another pid in the name), oldest first.
    func leftoverAsides() -> [String] {
        let prefix = name + ".rotating-"
        let own = "\(prefix)\(getpid())-"
        let leftovers = entries().filter { $0.hasPrefix(prefix) && !$0.hasPrefix(own) }.map { directory + "/" + $0 }
        return leftovers.sorted { Self.modificationTime($0) < Self.modificationTime($1) }
    }

    /// The size of `file`, 0 when it is gone.
    static func size(_ file: String) -> UInt64 {
        var info = stat()
        return stat(file, &info) == 0 ? UInt64(info.st_size) : 0
    }

    private var name: String { (path as NSString).lastPathComponent }

    private var directory: String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    private func entries() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    private static func modificationTime(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec : 0
    }
}
