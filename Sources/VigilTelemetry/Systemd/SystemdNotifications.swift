import Logging
import VigilSupervisor

/// Vigil's side of the `Type=notify` protocol: `READY=1` once start-up is done, a `STATUS=`
/// summary kept current, `RELOADING=1`/`READY=1` around reloads, `STOPPING=1` at shutdown, and
/// the watchdog.
///
/// `vigil up` calls the lifecycle methods from ``SupervisorService``'s hooks, in this order:
/// ``started()``, then any number of ``reloading()``/``reloaded(_:)`` pairs, then ``stopping()``,
/// and ``close()`` once the supervisor has stopped. Without `NOTIFY_SOCKET` every call is a no-op.
///
/// `STATUS=` is refreshed from the event log: each event marks it stale, and a loop recomputes
/// it at most once per ``Configuration/statusRefreshInterval`` (a crash loop writes many events;
/// systemd needs one line). While a reload or the shutdown runs, the status says so instead.
public actor SystemdNotifications {
    public struct Configuration: Sendable {
        /// Shortest time between two `STATUS=` updates.
        public var statusRefreshInterval: Duration
        /// `WATCHDOG=1` period (half of `WATCHDOG_USEC`); nil when systemd set no watchdog.
        public var watchdogInterval: Duration?

        public init(statusRefreshInterval: Duration = .seconds(1), watchdogInterval: Duration? = WatchdogSettings.pingInterval()) {
            self.statusRefreshInterval = statusRefreshInterval
            self.watchdogInterval = watchdogInterval
        }
    }

    private enum Phase { case starting, running, reloading, stopping }

    private let notifier: SystemdNotifier
    private let supervisor: Supervisor
    private let configuration: Configuration
    private let logger = Logger(label: "vigil.systemd")
    private var phase = Phase.starting
    private var lastStatus: String?
    /// Appended to the summary while the last reload was rejected, so `systemctl status` shows it.
    private var rejectedReloadNote: String?
    private var background: Task<Void, Never>?
    private var subscription: SubscriptionToken?

    public init(supervisor: Supervisor, notifier: SystemdNotifier = SystemdNotifier(), configuration: Configuration = .init()) {
        self.supervisor = supervisor
        self.notifier = notifier
        self.configuration = configuration
    }

    /// Every service that ran before is started again: `READY=1` with the first summary, then
    /// the status refresh and the watchdog begin.
    public func started() async {
        guard notifier.isEnabled else { return }
        phase = .running
        let status = await summary()
        lastStatus = status
        notifier.send(.ready, .status(status))
        startBackgroundLoops()
    }

    /// A reload (SIGHUP) begins.
    public func reloading() {
        guard notifier.isEnabled else { return }
        phase = .reloading
        lastStatus = "reloading configuration"
        notifier.send(NotifyMessage.reloadingNow(), .status("reloading configuration"))
    }

    /// The reload finished, applied or rejected: Vigil serves again either way.
    public func reloaded(_ outcome: ReloadOutcome) async {
        guard notifier.isEnabled else { return }
        switch outcome {
        case .applied: rejectedReloadNote = nil
        case .rejected(let errors): rejectedReloadNote = "last reload rejected (\(errors.errors.count) error(s)), running configuration kept"
        }
        phase = .running
        let status = await summary()
        lastStatus = status
        notifier.send(.ready, .status(status))
    }

    /// Shutdown begins; services are about to be stopped.
    public func stopping() {
        guard notifier.isEnabled else { return }
        phase = .stopping
        notifier.send(.stopping, .status("stopping services"))
    }

    /// Ends the status refresh and the watchdog; call once the supervisor has stopped.
    public func close() {
        background?.cancel()
        background = nil
        if let subscription { supervisor.resources.events.unsubscribe(subscription) }
        subscription = nil
    }

    private func startBackgroundLoops() {
        guard background == nil else { return }
        let (staleness, marker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        subscription = supervisor.resources.events.subscribe { _ in marker.yield() }
        let watchdog = configuration.watchdogInterval.map {
            Watchdog(interval: $0, notifier: notifier, check: LivenessCheck(supervisor: supervisor), logger: logger)
        }
        if let watchdog { logger.info("systemd watchdog: pinging every \(watchdog.interval) while Vigil's loops answer") }
        let refreshInterval = configuration.statusRefreshInterval
        background = Task {
            await withDiscardingTaskGroup { group in
                if let watchdog { group.addTask { await watchdog.run() } }
                group.addTask {
                    // Ends when the task is cancelled: an AsyncStream finishes for a cancelled consumer.
                    for await _ in staleness {
                        await self.refreshStatus()
                        try? await Task.sleep(for: refreshInterval)
                    }
                }
            }
        }
    }

    private func refreshStatus() async {
        guard phase == .running else { return }
        let status = await summary()
        guard phase == .running, status != lastStatus else { return }
        lastStatus = status
        notifier.send(.status(status))
    }

    private func summary() async -> String {
        let line = ServiceStatusSummary.line(for: await supervisor.status(readingUsage: false))
        return rejectedReloadNote.map { "\(line); \($0)" } ?? line
    }
}
