import Foundation
import VigilManifest

/// Finds what a previous Vigil left running when it was killed without a chance to stop its
/// services (`kill -9`, OOM killer, power loss of the process but not the host) and stops it
/// before anything starts again, so a restart never runs two copies of a service.
///
/// A recorded pid is trusted only when `/proc/PID/stat` still shows the start time recorded at
/// spawn: pids are reused, start times are not.
struct OrphanReaper {
    let store: StateStore
    let events: EventLog

    func reap(stopTimeouts: [String: Duration]) async {
        guard let records = try? store.instances(), !records.isEmpty else { return }
        // One pass over /proc for all records: the start times of each process group's members.
        var memberStarts: [pid_t: [UInt64]] = [:]
        ProcStat.forEachProcess { _, stat in memberStarts[stat.processGroup, default: []].append(stat.startTicks) }
        var signalled: [InstanceRecord] = []
        for record in records {
            let leaderAlive = ProcessStat.startTime(pid: record.pid) == record.startTime
            // The leader may be gone while children it left are still in its group.
            let membersLeft = memberStarts[record.pid, default: []].contains { $0 >= record.startTime }
            if leaderAlive || membersLeft {
                _ = ProcessGroup.signal(record.pid, SIGTERM)
                signalled.append(record)
            } else {
                try? store.removeInstance(service: record.service, color: record.color)
            }
        }
        // Every group got its signal at once, so each stop.timeout runs from now: the start
        // waits for the longest one, not for their sum.
        let signalledAt = ContinuousClock.now
        for record in signalled {
            let group = record.pid
            let timeout = stopTimeouts[record.service] ?? .seconds(10)
            let deadline = signalledAt + timeout
            while ProcessGroup.exists(group), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            let killed = ProcessGroup.exists(group) && ProcessGroup.signal(group, SIGKILL)
            events.record(SupervisorEvent(
                service: record.service, color: record.color == "default" ? nil : record.color, kind: .orphanKilled,
                message: "stopped pid \(record.pid) left running by a previous Vigil" + (killed ? " (SIGKILL after \(DurationFormat.format(timeout)))" : ""),
                pid: record.pid
            ))
            try? store.removeInstance(service: record.service, color: record.color)
        }
    }
}
