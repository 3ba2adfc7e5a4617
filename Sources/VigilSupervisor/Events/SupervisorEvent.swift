import Foundation

/// What happened, for the event log, `vigil events`, notifications and the SOC engine's devops agent.
///
/// The raw values are part of the control API (`GET /v1/events`): scripts match on them.
public enum EventKind: String, Sendable, Codable, CaseIterable {
    case spawned, exited, restarted, probeFailed = "probe_failed", stateChanged = "state_changed"
    case crashloop, started, stopped, spawnFailed = "spawn_failed"
    case reload, reloadRejected = "reload_rejected", orphanKilled = "orphan_killed"
    case supervisorStarted = "supervisor_started", supervisorStopping = "supervisor_stopping"
    case rolloutStarted = "rollout_started", rolloutPhase = "rollout_phase", promoted, rolledBack = "rolled_back"
    /// A warm standby took all traffic from the active color (reason: the active's state), and gave it back.
    case failover, failback
    /// Disk reclaim deleted a file or directory (reason: logs, releases, glob); one per deletion.
    case reclaimed
    /// An instance crossed its memory `high` or `max` (reason `high`, `max` or `oom_kill`), before the restart it causes.
    case memory
    /// A reclaim pass that found a filesystem above its high watermark, pruned releases or was asked for: its summary.
    case reclaimPass = "reclaim_pass"
    /// A filesystem stays above its high watermark with nothing left that may be deleted; once per crossing.
    case reclaimExhausted = "reclaim_exhausted"
    /// A log's compression fell behind its writer and rotated files were dropped (once per episode).
    case logsDropped = "logs_dropped"
}

/// One entry of the event log in `vigil.db`.
///
/// JSON (control API): `{"id": 12, "time": "2026-11-21T17:03:00.123Z", "service": "api",
/// "color": "blue" | null, "kind": "restarted", "reason": "exit" | null, "message": "...",
/// "pid": 4242 | null}`.
public struct SupervisorEvent: Sendable, Codable, Equatable {
    /// Assigned by the store; nil until written.
    @ExplicitNull public var id: Int64?
    public var time: Date
    /// Service name; `"vigil"` for the supervisor's own events.
    public var service: String
    /// `blue`/`green` for blue-green services, nil otherwise.
    @ExplicitNull public var color: String?
    public var kind: EventKind
    /// Machine-readable cause where one applies: for restarts one of
    /// `exit`, `signal`, `liveness`, `memory`, `manual` (the metric label values).
    @ExplicitNull public var reason: String?
    public var message: String
    @ExplicitNull public var pid: Int32?

    public init(id: Int64? = nil, time: Date = Date(), service: String, color: String? = nil, kind: EventKind, reason: String? = nil, message: String, pid: Int32? = nil) {
        self.id = id
        self.time = time
        self.service = service
        self.color = color
        self.kind = kind
        self.reason = reason
        self.message = message
        self.pid = pid
    }
}
