import Glibc

/// The fields of `/proc/PID/stat` the exporter needs, parsed from one read.
///
/// Field numbers are those of proc(5). `comm` (field 2) may hold spaces and `)`, so parsing
/// starts after the last `)`.
struct ProcStat: Equatable {
    /// Field 5.
    var processGroup: pid_t
    /// Fields 14 and 15, in clock ticks.
    var userTicks: UInt64
    var systemTicks: UInt64
    /// Fields 16 and 17: time of waited-for children, in clock ticks.
    var childUserTicks: UInt64
    var childSystemTicks: UInt64
    /// Field 22: clock ticks after boot when the process started.
    var startTicks: UInt64
    /// Field 23.
    var virtualBytes: UInt64
    /// Field 24, in pages.
    var residentPages: UInt64

    static let clockTicksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    static let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))

    var residentBytes: UInt64 { residentPages * Self.pageSize }
    /// CPU time of the process itself.
    var cpuSeconds: Double { Double(userTicks + systemTicks) / Self.clockTicksPerSecond }
    /// CPU time of the process and of the children it reaped.
    var cpuSecondsWithReapedChildren: Double {
        Double(userTicks + systemTicks + childUserTicks + childSystemTicks) / Self.clockTicksPerSecond
    }

    /// Reads `/proc/<pid>/stat` (`"self"` for Vigil itself); nil when the process is gone.
    static func read(_ pid: String) -> ProcStat? {
        ProcFile.read("/proc/\(pid)/stat").flatMap(parse)
    }

    static func parse(_ text: String) -> ProcStat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        // Index 0 is field 3 (state).
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 21,
              let group = pid_t(fields[2]),
              let user = UInt64(fields[11]), let system = UInt64(fields[12]),
              let childUser = UInt64(fields[13]), let childSystem = UInt64(fields[14]),
              let start = UInt64(fields[19]), let virtual = UInt64(fields[20]), let resident = UInt64(fields[21])
        else { return nil }
        return ProcStat(
            processGroup: group, userTicks: user, systemTicks: system, childUserTicks: childUser, childSystemTicks: childSystem,
            startTicks: start, virtualBytes: virtual, residentPages: resident
        )
    }
}

/// Whole-file reads of procfs files, whose size `stat(2)` reports as 0.
enum ProcFile {
    /// The file's text, read to its end, or nil when it cannot be opened.
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
