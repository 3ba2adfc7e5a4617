import Glibc

/// Signals to a whole process group. Every child Vigil starts leads its own group, so
/// `signal(pid, SIGKILL)` also reaches the grandchildren it forked.
public enum ProcessGroup {
    /// Sends `signal` to every member of group `pgid`. False when the group no longer exists.
    @discardableResult
    public static func signal(_ pgid: pid_t, _ signal: Int32) -> Bool {
        pgid > 0 && kill(-pgid, signal) == 0
    }

    /// True while any member of group `pgid` is alive. Zombies do not count: a killed grandchild
    /// stays a zombie until init reaps it, which some container inits never do.
    ///
    /// `kill(-pgid, 0)` answers the common "gone" case; when it still finds members, a live leader
    /// answers "alive" from one /proc read, and only otherwise is /proc scanned.
    public static func exists(_ pgid: pid_t) -> Bool {
        guard pgid > 0, kill(-pgid, 0) == 0 || errno == EPERM else { return false }
        if let leader = ProcessStat.state(pid: pgid), leader != "Z", getpgid(pgid) == pgid {
            return true
        }
        return ProcessStat.scan(group: pgid).contains { $0.state != "Z" }
    }
}
