import Logging
import VigilSupervisor

/// Vigil's event log as log lines: every event written to `vigil.db` is also logged, at a level
/// that says how much an operator should care, with its fields as metadata (`service`, `color`,
/// `event_kind`, `reason`, `pid`, `event_id`), so the journal can be filtered by service and kind.
///
/// ```
/// warning vigil.event: demo-web exited [exit]: exited with status 1
/// ```
public enum EventLogging {
    /// The label of the logger events are written with.
    public static let label = "vigil.event"

    /// How much an operator should care: failures to keep a service up are errors, the churn
    /// around one is a warning, the supervisor's own milestones are notices, the rest is info.
    public static func level(for kind: EventKind) -> Logger.Level {
        switch kind {
        case .crashloop, .spawnFailed, .reclaimExhausted: .error
        case .exited, .restarted, .probeFailed, .reloadRejected, .orphanKilled, .rolledBack, .failover, .memory, .logsDropped: .warning
        case .supervisorStarted, .supervisorStopping, .reload, .rolloutStarted, .promoted, .failback: .notice
        case .spawned, .started, .stopped, .stateChanged, .rolloutPhase, .reclaimed, .reclaimPass: .info
        }
    }

    /// The line's message: `SERVICE[/COLOR] KIND [REASON]: MESSAGE`.
    public static func message(for event: SupervisorEvent) -> String {
        let who = event.color.map { "\(event.service)/\($0)" } ?? event.service
        let reason = event.reason.map { " [\($0)]" } ?? ""
        return "\(who) \(event.kind.rawValue)\(reason): \(event.message)"
    }

    public static func metadata(for event: SupervisorEvent) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["service": .string(event.service), "event_kind": .string(event.kind.rawValue)]
        if let color = event.color { metadata["color"] = .string(color) }
        if let reason = event.reason { metadata["reason"] = .string(reason) }
        if let pid = event.pid { metadata["pid"] = .stringConvertible(pid) }
        if let id = event.id { metadata["event_id"] = .stringConvertible(id) }
        return metadata
    }

    public static func log(_ event: SupervisorEvent, to logger: Logger) {
        logger.log(level: level(for: event.kind), "\(message(for: event))", metadata: metadata(for: event))
    }

    /// Logs every event `events` writes from now on; returns the subscription.
    @discardableResult
    public static func forward(_ events: EventLog, to logger: Logger = Logger(label: label)) -> SubscriptionToken {
        events.subscribe { log($0, to: logger) }
    }
}
