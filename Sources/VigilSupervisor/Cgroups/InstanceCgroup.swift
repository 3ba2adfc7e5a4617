import Foundation
import Glibc

/// The cgroup of one spawn of an instance: created before the spawn, joined by the child before
/// it execs, limited, read, killed whole, removed once empty.
///
/// The same operations on both interfaces, with their own file names:
///
/// | what | cgroup v2 | cgroup v1 |
/// |---|---|---|
/// | hard limit | `memory.max` | `memory.limit_in_bytes` |
/// | usage | `memory.current` | `memory.usage_in_bytes` |
/// | OOM kills so far | `memory.events` `oom_kill` | `memory.oom_control` `oom_kill` |
/// | kill everything | `cgroup.kill` (SIGKILL to every member, atomically) | SIGKILL to each pid in `cgroup.procs`, until it is empty |
///
/// `memory.high` is not written on v2: the kernel would throttle a service over it (slow
/// reclaim on every allocation), which a user sees as latency, not as a restart. Vigil watches
/// `high` itself and replaces the instance gracefully instead (SPEC 5).
public final class InstanceCgroup: @unchecked Sendable {
    public let version: CgroupVersion
    public let path: String
    /// The OOM-kill count when the spawn started: a higher count later means the kernel killed
    /// something of this instance for exceeding `max`.
    private var oomKillsAtStart: UInt64 = 0

    /// Creates `<base>/<name>` and applies `max` (nil: no hard limit).
    public init(layout: CgroupLayout, name: String, max: UInt64?) throws {
        version = layout.version
        path = layout.base + "/" + name
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw CgroupUnavailable("mkdir \(path): \(String(cString: strerror(errno)))")
        }
        if let max {
            do {
                try CgroupFile.write(String(max), to: path + (version == .v2 ? "/memory.max" : "/memory.limit_in_bytes"))
            } catch {
                _ = rmdir(path)
                throw error
            }
        }
        oomKillsAtStart = oomKills
    }

    /// A cgroup found on disk (a leftover of an earlier Vigil), without touching its limits.
    init(existing path: String, version: CgroupVersion) {
        self.version = version
        self.path = path
    }

    /// An open `cgroup.procs` for the child to join through (``LaunchSpec/cgroupProcsDescriptor``);
    /// the caller closes it after the spawn.
    public func openProcs() throws -> Int32 {
        let fd = open(path + "/cgroup.procs", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CgroupUnavailable("open \(path)/cgroup.procs: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Memory charged to the instance now (every process of it, page cache included, as the
    /// kernel counts against the limit); nil once the cgroup is gone.
    public var memoryBytes: UInt64? {
        CgroupFile.number(path + (version == .v2 ? "/memory.current" : "/memory.usage_in_bytes"))
    }

    /// OOM kills in this cgroup since it was made.
    public var oomKills: UInt64 {
        (version == .v2 ? CgroupFile.keyed(path + "/memory.events", "oom_kill") : CgroupFile.keyed(path + "/memory.oom_control", "oom_kill")) ?? 0
    }

    /// True when the kernel OOM-killed something of this spawn for exceeding `max`.
    public var wasOOMKilled: Bool { oomKills > oomKillsAtStart }

    /// Pids in the cgroup (a process that left the process group with `setsid` included).
    public var members: [pid_t] {
        (CgroupFile.read(path + "/cgroup.procs") ?? "").split(separator: "\n").compactMap { pid_t($0) }
    }

    /// SIGKILL to everything in the cgroup, however far it daemonised.
    public func killAll() {
        if version == .v2, (try? CgroupFile.write("1", to: path + "/cgroup.kill")) != nil { return }
        // v1 (or a v2 kernel before 5.14): a process may fork while the list is read, so go on
        // until a pass finds nobody (bounded: a fork bomb under a pids limit still ends).
        for _ in 0..<100 {
            let pids = members
            if pids.isEmpty { return }
            for pid in pids { kill(pid, SIGKILL) }
        }
    }

    /// Removes the cgroup once its last process is gone (rmdir fails with EBUSY until then),
    /// trying for up to `timeout` in the background.
    public func removeWhenEmpty(timeout: Duration = .seconds(30)) {
        let path = self.path
        Task.detached { await Self.remove(path, within: timeout) }
    }

    /// rmdir of a cgroup, retried while it is busy (killed members not reaped yet).
    static func remove(_ path: String, within timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while rmdir(path) != 0, errno == EBUSY, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
