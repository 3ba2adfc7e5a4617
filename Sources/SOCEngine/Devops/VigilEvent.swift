import Foundation

/// One event from Vigil's control API (`GET /v1/events`): something the supervisor did or saw.
public struct VigilEvent: Sendable, Codable, Hashable {
    public var id: Int64
    public var time: Date
    public var service: String
    public var color: String?
    /// spawned, exited, restarted, probe_failed, state_changed, crashloop, started, stopped,
    /// rollout_started, rollout_phase, promoted, rolled_back, reclaimed, ...
    public var kind: String
    public var reason: String?
    public var message: String
    public var pid: Int?

    public init(id: Int64, time: Date, service: String, color: String? = nil, kind: String, reason: String? = nil, message: String, pid: Int? = nil) {
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

/// Where the devops agent reads Vigil's events from.
///
/// The production source is ``CurlEventSource`` (the control API over its Unix socket or HTTP);
/// tests inject events through their own conformances.
public protocol EventSource: Sendable {
    /// Where the events come from, for the agent's findings ("unix:/run/vigil/control.sock").
    var location: String { get }
    /// Events at or after `since`, oldest first. Throws when Vigil cannot be reached.
    func events(since: Date) async throws -> [VigilEvent]
}

/// What the supervisor did around the time of a signal, as the devops agent summarised it.
public struct OperationalContext: Sendable, Hashable {
    public var rollouts = 0
    public var restarts = 0
    public var crashLoops = 0
    public var reclaims = 0
    public var probeFailures = 0
    /// Seconds between the most recent change (rollout, restart, crash loop, reclaim) and the signal.
    public var secondsSinceLastChange: TimeInterval?
    /// False when Vigil's events could not be read.
    public var reachable = true

    public var hasChanges: Bool { rollouts + restarts + crashLoops + reclaims > 0 }
}
