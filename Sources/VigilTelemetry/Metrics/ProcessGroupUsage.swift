import Glibc
import VigilSupervisor

/// Memory and CPU of a whole process group, so a service that forks workers is measured in
/// full rather than by its leader alone.
///
/// - ``residentBytes`` sums the live members' resident sets. Pages shared between members (a
///   forked worker's copy-on-write pages) count once per member, as `ps` and `top` show them.
/// - ``cpuSeconds`` sums the live members' user and system time plus the time of children each
///   of them reaped (a member's own `cutime`/`cstime`). A child's time moves into its parent's
///   only when it is reaped, so nothing counts twice; the time of a member that exits and is
///   reaped outside the group is lost, which is why ``ServiceGauges`` keeps the CPU counter
///   from going backwards.
///
/// Vigil does not give services a cgroup yet; when it does, the cgroup's `memory.current` and
/// `cpu.stat` should replace this scan.
public struct ProcessGroupUsage: Sendable, Equatable {
    public var residentBytes: UInt64
    public var cpuSeconds: Double

    public init(residentBytes: UInt64, cpuSeconds: Double) {
        self.residentBytes = residentBytes
        self.cpuSeconds = cpuSeconds
    }

    /// The usage of each of `groups`, from one pass over /proc (one read of `/proc/PID/stat` per
    /// process on the host). A group with no live member is left out.
    public static func read(groups: Set<pid_t>) -> [pid_t: ProcessGroupUsage] {
        guard !groups.isEmpty else { return [:] }
        var usage: [pid_t: ProcessGroupUsage] = [:]
        ProcStat.forEachProcess { _, stat in
            guard groups.contains(stat.processGroup) else { return }
            usage[stat.processGroup, default: .init(residentBytes: 0, cpuSeconds: 0)].add(stat)
        }
        return usage
    }

    mutating func add(_ member: ProcStat) {
        residentBytes += member.residentBytes
        cpuSeconds += member.cpuSecondsWithReapedChildren
    }
}
