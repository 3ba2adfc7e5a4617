import Foundation
import Glibc
import VigilManifest

/// The cgroup and memory watch of one spawn.
struct SpawnMemory {
    let cgroup: InstanceCgroup?
    let watchToken: Int?
    /// A breach of this spawn was already acted on (the OOM eventfd and the exit both tell of one kill).
    var handled = false
}

// Memory limits (SPEC 5): a cgroup per spawn, joined before exec; a breach of `high` replaces
// the instance gracefully, one of `max` kills it at once; both restart with reason `memory`.
extension InstanceRunner {
    var memoryLimits: MemoryGuard.Limits {
        MemoryGuard.Limits(high: spec.resources.memoryHigh?.bytes, max: spec.resources.memoryMax?.bytes)
    }

    /// Lets the owner of a blue-green color answer breaches itself (see ``memoryResponder``).
    public func setMemoryResponder(_ responder: @escaping @Sendable (MemoryGuard.Breach) async -> Bool) {
        memoryResponder = responder
    }

    /// The spawn's cgroup, `<base>/<service>.<color>.<spawn id>`; nil without cgroups, or when
    /// making it failed (said in an event, and the spawn goes on without one).
    func makeCgroup(marker: InstanceMarker) -> InstanceCgroup? {
        guard case .success(let layout) = resources.cgroups else { return nil }
        let name = marker.value.replacingOccurrences(of: "/", with: ".")
        do {
            return try InstanceCgroup(layout: layout, name: name, max: memoryLimits.max)
        } catch {
            record(.memory, reason: nil, message: "cannot make the instance's cgroup (\(error)); memory is sampled from /proc for this run")
            return nil
        }
    }

    func startWatchingMemory(pid: pid_t, cgroup: InstanceCgroup?) {
        let limits = memoryLimits
        var token: Int?
        if !limits.isEmpty {
            token = resources.memory.watch(cgroup: cgroup, processGroup: pid, limits: limits) { [weak self] breach in
                guard let self else { return }
                Task { await self.memoryBreached(breach, pid: pid) }
            }
        }
        spawnMemory = SpawnMemory(cgroup: cgroup, watchToken: token)
    }

    /// Acts on a breach of the spawn `pid` (ignored once that spawn is gone).
    func memoryBreached(_ breach: MemoryGuard.Breach, pid: pid_t) async {
        guard machine.pid == pid, var current = spawnMemory, !current.handled else { return }
        current.handled = true
        spawnMemory = current
        switch breach {
        case .high(let bytes, let limit):
            record(.memory, reason: "high", message: "memory \(mebibytes(bytes)) over high \(ByteSize(bytes: limit).description); replacing the instance")
            await replace(after: breach, pid: pid)
        case .hostPressure(let bytes, let used, let watermark):
            record(.memory, reason: "host", message: String(format: "host memory %.0f%% over hostHighWatermark %.0f%%; replacing the largest limited instance (%@)", used * 100, watermark * 100, mebibytes(bytes)))
            await replace(after: breach, pid: pid)
        case .max(let bytes, let limit):
            record(.memory, reason: "max", message: "memory \(mebibytes(bytes)) over max \(ByteSize(bytes: limit).description); killed")
            send(.kill(reason: "memory"))
        case .oomKilled(let limit):
            record(.memory, reason: "oom_kill", message: "the kernel killed a process of the instance over max \(ByteSize(bytes: limit).description); killing the rest")
            send(.kill(reason: "memory"))
        }
    }

    /// The graceful answer to `high` and to host pressure: the owner's (a blue-green rollout)
    /// when it takes it, else a stop counted as a failure, unless the spawn ended meanwhile.
    private func replace(after breach: MemoryGuard.Breach, pid: pid_t) async {
        if let memoryResponder, await memoryResponder(breach) { return }
        guard machine.pid == pid else { return }
        send(.recycle(reason: "memory"))
    }

    /// Before an exit is handled: when the kernel OOM-killed the spawn and no breach was acted on
    /// yet, the exit is a memory kill (reason `memory`, not `signal`).
    func noteOOMKill(of ended: SpawnMemory?, pid: pid_t) {
        guard let ended, !ended.handled, let cgroup = ended.cgroup, cgroup.wasOOMKilled else { return }
        record(.memory, reason: "oom_kill", message: "the kernel killed the instance over max \(memoryLimits.max.map { ByteSize(bytes: $0).description } ?? "?")")
        send(.kill(reason: "memory"))
    }

    /// After the spawn's leader exited: nothing of it may outlive it, and its cgroup goes.
    func end(_ ended: SpawnMemory?) {
        guard let ended else { return }
        if let token = ended.watchToken { resources.memory.unwatch(token) }
        ended.cgroup?.killAll()
        ended.cgroup?.removeWhenEmpty()
    }

    /// An event of this instance: its color (none for a plain service), its current pid, else
    /// the group of its last run.
    func record(_ kind: EventKind, reason: String?, message: String) {
        resources.events.record(SupervisorEvent(
            service: service, color: color == InstanceRecord.defaultColor ? nil : color, kind: kind, reason: reason, message: message,
            pid: machine.pid ?? processGroup
        ))
    }
}

/// `70.3Mi`: a reading, for messages (limits keep their manifest spelling).
private func mebibytes(_ bytes: UInt64) -> String {
    String(format: "%.1fMi", Double(bytes) / 1_048_576)
}
