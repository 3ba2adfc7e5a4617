import Glibc

/// The fields of `/proc/PID/stat` Vigil reads, parsed from one read. The one parser of that
/// file: ``ProcessStat`` (status, orphan reaping, group liveness) and the metrics scrape
/// (``forEachProcess(_:)`` over every process on the host) both read through it.
///
/// Field numbers are those of proc(5). `comm` (field 2) may hold spaces and `)`, so parsing
/// starts after the last `)`. A scrape reads this file for every process on the host, so the
/// parser works on bytes in a reused buffer and makes no strings.
public struct ProcStat: Sendable, Equatable {
    /// Field 3, the state letter as ASCII (`R`, `S`, `D`, `Z`, `T` ...).
    public var state: UInt8
    /// Field 4.
    public var parentPID: pid_t
    /// Field 5.
    public var processGroup: pid_t
    /// Field 6: the session id.
    public var session: pid_t
    /// Fields 14 and 15, in clock ticks.
    public var userTicks: UInt64
    public var systemTicks: UInt64
    /// Fields 16 and 17: time of waited-for children, in clock ticks.
    public var childUserTicks: UInt64
    public var childSystemTicks: UInt64
    /// Field 22: clock ticks after boot when the process started.
    public var startTicks: UInt64
    /// Field 23.
    public var virtualBytes: UInt64
    /// Field 24, in pages. Kernels 6.1x report the approximate per-CPU counter here, which may
    /// trail `VmRSS` (exact) by some pages; ``ProcessStat`` reads statm for that reason.
    public var residentPages: UInt64

    public static let clockTicksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    public static let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))

    public var residentBytes: UInt64 { residentPages * Self.pageSize }
    /// CPU time of the process itself.
    public var cpuSeconds: Double { Double(userTicks + systemTicks) / Self.clockTicksPerSecond }
    /// CPU time of the process and of the children it reaped.
    public var cpuSecondsWithReapedChildren: Double {
        Double(userTicks + systemTicks + childUserTicks + childSystemTicks) / Self.clockTicksPerSecond
    }

    /// Reads `/proc/<pid>/stat` (`"self"` for Vigil itself); nil when the process is gone.
    public static func read(_ pid: String) -> ProcStat? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        return read(pid, buffer: &buffer)
    }

    /// ``read(_:)`` into a caller's buffer, for scans that read many processes.
    public static func read(_ pid: String, buffer: inout [UInt8]) -> ProcStat? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // procfs hands out the whole line in one read when the buffer holds it (under 1 KiB).
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return buffer.withUnsafeBytes { parse(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    /// Every process on the host with its stat, from one pass over /proc and one reused buffer.
    /// Processes that exit during the pass are skipped.
    public static func forEachProcess(_ body: (pid_t, ProcStat) -> Void) {
        guard let directory = opendir("/proc") else { return }
        defer { closedir(directory) }
        var buffer = [UInt8](repeating: 0, count: 2048)
        while let entry = readdir(directory) {
            let first = UInt8(bitPattern: entry.pointee.d_name.0)
            guard first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), let stat = read(name, buffer: &buffer) else { continue }
            body(pid, stat)
        }
    }

    public static func parse(_ text: String) -> ProcStat? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) -> ProcStat? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // After `)`: index 0 is field 3 (state); the fields needed are indexes 0-2, 11-14, 19-21.
        var values = [Int64](repeating: 0, count: 22)
        var state: UInt8 = 0
        var field = -1
        var index = close + 1
        while index < bytes.count, field < 21 {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            guard index < bytes.count else { break }
            field += 1
            if field == 0 { state = bytes[index] }
            var negative = false
            var value: Int64 = 0
            var digits = 0
            while index < bytes.count, bytes[index] != UInt8(ascii: " "), bytes[index] != UInt8(ascii: "\n") {
                let byte = bytes[index]
                if byte == UInt8(ascii: "-") {
                    negative = true
                } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    value = value &* 10 &+ Int64(byte - UInt8(ascii: "0"))
                    digits += 1
                }
                index += 1
            }
            if field > 0, digits == 0 { return nil }
            values[field] = negative ? -value : value
        }
        guard field == 21 else { return nil }
        func unsigned(_ index: Int) -> UInt64 { UInt64(clamping: values[index]) }
        return ProcStat(
            state: state, parentPID: pid_t(clamping: values[1]), processGroup: pid_t(clamping: values[2]), session: pid_t(clamping: values[3]),
            userTicks: unsigned(11), systemTicks: unsigned(12), childUserTicks: unsigned(13), childSystemTicks: unsigned(14),
            startTicks: unsigned(19), virtualBytes: unsigned(20), residentPages: unsigned(21)
        )
    }
}
