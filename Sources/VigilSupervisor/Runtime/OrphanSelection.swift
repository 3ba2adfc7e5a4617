import Glibc

/// Decides which leftovers of a killed Vigil to stop, from one snapshot of the host's processes:
/// the pure half of ``OrphanReaper``, tested without processes.
///
/// A process is a leftover of a recorded instance only when all of these hold:
/// - it is in the instance's process group (the recorded pid; every instance leads its own),
/// - it started at or after the instance (a pid and its start time are never both reused),
/// - it is not a zombie,
/// - it carries the instance's ``InstanceMarker`` in its environment.
///
/// The last rule is what keeps root's signals off strangers: once a leader is gone, its pid may
/// lead an unrelated group that started later, which the first three rules alone would take.
/// A record written before marks existed has none; then only its leader counts, and only with
/// the exact recorded start time.
struct OrphanSelection {
    /// One process of the snapshot.
    struct Process: Equatable {
        var pid: pid_t
        var processGroup: pid_t
        var startTicks: UInt64
        var isZombie: Bool
    }

    /// A process to stop, identified by pid and start time so it can be checked again later.
    struct Member: Equatable, Hashable {
        var pid: pid_t
        var startTicks: UInt64
    }

    /// What is left of one record.
    enum Verdict: Equatable {
        /// Nothing of the instance runs: forget the record.
        case gone
        /// These processes are the instance's leftovers: stop them, then forget the record.
        case stop([Member])
    }

    /// For each record, its verdict. `carries(pid, marker)` reads a process's environment.
    static func select(
        records: [InstanceRecord],
        processes: [Process],
        carries: (pid_t, InstanceMarker) -> Bool
    ) -> [(record: InstanceRecord, verdict: Verdict)] {
        let byGroup = Dictionary(grouping: processes.filter { !$0.isZombie }, by: \.processGroup)
        return records.map { record in
            let group = byGroup[record.pgid, default: []]
            let members: [Process]
            if let marker = record.marker.map(InstanceMarker.init(value:)) {
                members = group.filter { $0.startTicks >= record.startTime && carries($0.pid, marker) }
            } else {
                members = group.filter { $0.pid == record.pid && $0.startTicks == record.startTime }
            }
            let identified = members.map { Member(pid: $0.pid, startTicks: $0.startTicks) }.sorted { $0.pid < $1.pid }
            return (record, identified.isEmpty ? .gone : .stop(identified))
        }
    }

    /// Every process on the host, from one pass over /proc.
    static func snapshot() -> [Process] {
        var processes: [Process] = []
        ProcStat.forEachProcess { pid, stat in
            processes.append(Process(pid: pid, processGroup: stat.processGroup, startTicks: stat.startTicks, isZombie: stat.state == UInt8(ascii: "Z")))
        }
        return processes
    }
}
