import CSystemd

/// How often systemd wants `WATCHDOG=1` from Vigil, from `WATCHDOG_USEC` (set for `WatchdogSec=`).
public enum WatchdogSettings {
    /// Half of `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises; nil when no watchdog is set for
    /// this process.
    ///
    /// libsystemd's rules apply: `WATCHDOG_USEC` must be a positive number, and `WATCHDOG_PID`,
    /// when present, must be Vigil's own pid (so a child that inherited the variables does not
    /// ping on its parent's behalf). A process started by hand with only `WATCHDOG_USEC` counts
    /// as watched, which is how tests switch the watchdog on.
    public static func pingInterval() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(microseconds / 2))
    }
}
