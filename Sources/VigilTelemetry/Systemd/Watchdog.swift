import Logging

/// Sends `WATCHDOG=1` every ``interval`` while ``LivenessCheck`` confirms Vigil's loops are live.
///
/// Pings are scheduled on fixed ticks (not "interval after the last one"), and a check may take
/// at most half an interval, so the gap between two pings stays under three quarters of
/// `WATCHDOG_USEC` even when a check runs late. When the loops stop answering, pinging stops
/// (with one warning) and systemd restarts Vigil once `WatchdogSec` passes without a ping; if
/// they answer again first, pinging resumes (with a notice).
public struct Watchdog: Sendable {
    /// Time between pings: half of `WATCHDOG_USEC`.
    public let interval: Duration
    let notifier: SystemdNotifier
    let check: LivenessCheck
    let logger: Logger

    public init(interval: Duration, notifier: SystemdNotifier, check: LivenessCheck, logger: Logger = Logger(label: "vigil.systemd")) {
        self.interval = interval
        self.notifier = notifier
        self.check = check
        self.logger = logger
    }

    /// Pings until the task is cancelled.
    public func run() async {
        let clock = ContinuousClock()
        var tick = clock.now
        var answering = true
        while !Task.isCancelled {
            let live = await check.confirm(within: interval / 2)
            if live {
                notifier.send(.watchdog)
                if !answering { logger.notice("watchdog: Vigil's loops answer again; pinging systemd again") }
            } else if answering {
                logger.warning("watchdog: the supervisor actor or the exit watcher did not answer within \(interval / 2); not pinging systemd, which restarts Vigil if this lasts WatchdogSec")
            }
            answering = live
            tick += interval
            if tick < clock.now { tick = clock.now }
            try? await Task.sleep(until: tick, clock: clock)
        }
    }
}
