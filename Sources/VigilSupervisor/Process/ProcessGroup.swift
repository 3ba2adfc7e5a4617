import Glibc

/// Signals to a whole process group. Every child Vigil starts leads its own group, so
/// `signal(pid, SIGKILL)` also reaches the grandchildren it forked.
public enum ProcessGroup {
    /// Sends `signal` to every member of group `pgid`. False when the group no longer exists.
    @discardableResult
    public static func signal(_ pgid: pid_t, _ signal: Int32) -> Bool {
        pgid > 0 && kill(-pgid, signal) == 0
    }

    /// True while any member of group `pgid` exists (zombies included until they are reaped).
    public static func exists(_ pgid: pid_t) -> Bool {
        guard pgid > 0 else { return false }
        return kill(-pgid, 0) == 0 || errno == EPERM
    }
}
