import Glibc

/// A snapshot of one process from /proc/PID/stat and /proc/PID/statm.
///
/// Used to recognise a process again (`pid` + `startTime`), to watch a service's memory, and to
/// find the members of a process group that outlived their leader.
public struct ProcessStat: Sendable, Equatable {
    public let pid: pid_t
    public let ppid: pid_t
    public let pgid: pid_t
    /// `R`, `S`, `D`, `Z`, `T` ... as in proc(5).
    public let state: Character
    /// Clock ticks after boot when the process started (field 22).
    public let startTime: UInt64
    /// Resident set size in bytes.
    public let residentBytes: UInt64
    /// User plus system CPU time consumed so far.
    public let cpuSeconds: Double

    /// Reads the process now; nil when it does not exist (or has been reaped meanwhile).
    public static func read(pid: pid_t) -> ProcessStat? {
        guard let fields = statFields(pid: pid),
              let statm = ProcFile.read("/proc/\(pid)/statm"),
              let resident = statm.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) })
        else { return nil }
        return ProcessStat(pid: pid, fields: fields, residentPages: resident)
    }

    /// Pids of every process whose process group is `pgid`, by scanning /proc.
    public static func members(ofGroup pgid: pid_t) -> [pid_t] {
        scan(group: pgid).map(\.pid)
    }

    /// Pid and state of every process in group `pgid`.
    static func scan(group pgid: pid_t) -> [(pid: pid_t, state: Character)] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var members: [(pid: pid_t, state: Character)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), let fields = statFields(pid: pid), fields.count > 2, pid_t(fields[2]) == pgid,
                  let state = fields[0].first
            else { continue }
            members.append((pid, state))
        }
        return members
    }

    /// The state letter alone (`Z` for a zombie), or nil when there is no such process.
    static func state(pid: pid_t) -> Character? {
        statFields(pid: pid)?.first?.first
    }

    /// The start time alone (one read of /proc/PID/stat), for the launch path.
    static func startTime(pid: pid_t) -> UInt64? {
        statFields(pid: pid).flatMap { $0.count > 19 ? UInt64($0[19]) : nil }
    }

    /// The fields after `(comm)`: index 0 is field 3 (state) of proc(5). comm may hold spaces
    /// and `)`, so the split starts after the last `)`.
    private static func statFields(pid: pid_t) -> [Substring]? {
        guard let text = ProcFile.read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
    }

    private init?(pid: pid_t, fields: [Substring], residentPages: UInt64) {
        guard fields.count > 19, let state = fields[0].first, let ppid = pid_t(fields[1]), let pgid = pid_t(fields[2]),
              let userTicks = UInt64(fields[11]), let systemTicks = UInt64(fields[12]), let start = UInt64(fields[19])
        else { return nil }
        self.pid = pid
        self.ppid = ppid
        self.pgid = pgid
        self.state = state
        self.startTime = start
        self.residentBytes = residentPages * UInt64(ProcFile.pageSize)
        self.cpuSeconds = Double(userTicks + systemTicks) / Double(ProcFile.clockTicksPerSecond)
    }
}

/// Small, allocation-light reads of /proc files.
enum ProcFile {
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    static let clockTicksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))

    /// The whole file (procfs files here are far below 4 KiB), or nil when it cannot be read.
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return String(unsafeUninitializedCapacity: 4096) { buffer in
            var count = 0
            while count < buffer.count {
                let n = Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                count += n
            }
            return count
        }
    }
}
