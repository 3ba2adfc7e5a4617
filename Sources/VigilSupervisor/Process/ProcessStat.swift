import Glibc

/// A snapshot of one process from /proc/PID/stat (parsed by ``ProcStat``) and /proc/PID/statm.
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
        // Resident memory from statm, not from stat's field 24: on current kernels (6.1x) stat
        // reports the approximate per-CPU RSS counter, statm and VmRSS the exact sum.
        guard let stat = ProcStat.read(String(pid)),
              let statm = ProcFile.read("/proc/\(pid)/statm"),
              let resident = statm.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) })
        else { return nil }
        return ProcessStat(pid: pid, stat: stat, residentPages: resident)
    }

    /// Pids of every process whose process group is `pgid`, by scanning /proc.
    public static func members(ofGroup pgid: pid_t) -> [pid_t] {
        scan(group: pgid).map(\.pid)
    }

    /// Pid and state of every process in group `pgid`.
    static func scan(group pgid: pid_t) -> [(pid: pid_t, state: Character)] {
        var members: [(pid: pid_t, state: Character)] = []
        ProcStat.forEachProcess { pid, stat in
            if stat.processGroup == pgid { members.append((pid, Character(Unicode.Scalar(stat.state)))) }
        }
        return members
    }

    /// The state letter alone (`Z` for a zombie), or nil when there is no such process.
    static func state(pid: pid_t) -> Character? {
        ProcStat.read(String(pid)).map { Character(Unicode.Scalar($0.state)) }
    }

    /// The start time alone (one read of /proc/PID/stat), for the launch path.
    static func startTime(pid: pid_t) -> UInt64? {
        ProcStat.read(String(pid))?.startTicks
    }

    private init(pid: pid_t, stat: ProcStat, residentPages: UInt64) {
        self.pid = pid
        self.ppid = stat.parentPID
        self.pgid = stat.processGroup
        self.state = Character(Unicode.Scalar(stat.state))
        self.startTime = stat.startTicks
        self.residentBytes = residentPages * ProcStat.pageSize
        self.cpuSeconds = stat.cpuSeconds
    }
}
