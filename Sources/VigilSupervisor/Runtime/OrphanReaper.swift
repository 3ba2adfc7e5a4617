import CVigilSys
import Foundation
import VigilManifest

/// Finds what a previous Vigil left running when it was killed without a chance to stop its
/// services (`kill -9`, OOM killer, power loss of the process but not the host) and stops it
/// before anything starts again, so a restart never runs two copies of a service.
///
/// Which processes are leftovers is ``OrphanSelection``'s decision: members of a recorded
/// instance's process group that carry its ``InstanceMarker``. Each one is then held by a pidfd,
/// checked once more through it, and signalled through it, so a pid reused between the scan and
/// the signal cannot redirect root's SIGTERM or SIGKILL to a stranger.
struct OrphanReaper {
    let store: StateStore
    let events: EventLog

    func reap(stopTimeouts: [String: Duration]) async {
        guard let records = try? store.instances(), !records.isEmpty else { return }
        let verdicts = OrphanSelection.select(records: records, processes: OrphanSelection.snapshot()) { pid, marker in
            marker.isCarried(byProcess: pid)
        }
        var stopping: [(record: InstanceRecord, processes: [HeldProcess])] = []
        for (record, verdict) in verdicts {
            guard case .stop(let members) = verdict else {
                try? store.removeInstance(service: record.service, color: record.color)
                continue
            }
            let held = members.compactMap { HeldProcess(member: $0, marker: record.marker.map(InstanceMarker.init(value:))) }
            for process in held { process.signal(SIGTERM) }
            stopping.append((record, held))
        }
        // Every leftover got its signal at once, so each stop.timeout runs from now: the start
        // waits for the longest one, not for their sum.
        let signalledAt = ContinuousClock.now
        for (record, processes) in stopping {
            let timeout = stopTimeouts[record.service] ?? .seconds(10)
            let deadline = signalledAt + timeout
            while processes.contains(where: \.isAlive), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            let killed = processes.filter(\.isAlive)
            for process in killed { process.signal(SIGKILL) }
            let count = processes.count == 1 ? "pid \(record.pid)" : "\(processes.count) processes of pid \(record.pid)'s group"
            events.record(SupervisorEvent(
                service: record.service, color: record.color == InstanceRecord.defaultColor ? nil : record.color, kind: .orphanKilled,
                message: "stopped \(count) left running by a previous Vigil" + (killed.isEmpty ? "" : " (SIGKILL to \(killed.count) after \(DurationFormat.format(timeout)))"),
                pid: record.pid
            ))
            processes.forEach { $0.release() }
            try? store.removeInstance(service: record.service, color: record.color)
        }
    }
}

/// A leftover process pinned by a pidfd: signals reach exactly the process that was checked.
private final class HeldProcess {
    let pid: pid_t
    private var pidfd: Int32

    /// Opens a pidfd for `member` and checks, through the pinned process, that it is still the
    /// one selected (same start time, still carrying `marker` when there is one); nil otherwise.
    init?(member: OrphanSelection.Member, marker: InstanceMarker?) {
        let fd = cvigil_pidfd_open(member.pid)
        guard fd >= 0 else { return nil }
        // The pid could have been reused between the scan and pidfd_open; after it, the pidfd
        // refers to one process for good, so one more check settles which.
        guard ProcStat.read(String(member.pid))?.startTicks == member.startTicks,
              marker.map({ $0.isCarried(byProcess: member.pid) }) ?? true
        else {
            close(fd)
            return nil
        }
        self.pid = member.pid
        self.pidfd = fd
    }

    func signal(_ signal: Int32) { _ = cvigil_pidfd_send_signal(pidfd, signal) }

    /// A pidfd polls readable once its process has exited.
    var isAlive: Bool {
        var entry = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 0
    }

    func release() {
        if pidfd >= 0 { close(pidfd) }
        pidfd = -1
    }

    deinit { release() }
}
