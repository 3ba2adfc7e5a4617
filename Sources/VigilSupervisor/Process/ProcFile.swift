import Glibc

/// Whole-file reads of procfs files, whose size `stat(2)` reports as 0.
public enum ProcFile {
    /// The file's text, read to its end, or nil when it cannot be opened.
    ///
    /// Most files Vigil reads (`statm`) fit the first 4 KiB read; `/proc/stat` on a host with many
    /// CPUs and interrupts does not, so the buffer grows until the kernel says end of file.
    public static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        var count = 0
        while true {
            if count == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            count += n
        }
        return String(decoding: bytes[..<count], as: UTF8.self)
    }
}
