import Foundation
import VigilSupervisor

/// Where the devops agent reads Vigil's events from.
///
/// The production source is ``CurlEventSource`` (the control API over its Unix socket or HTTP);
/// tests inject events through their own conformances.
public protocol EventSource: Sendable {
    /// Where the events come from, for the agent's findings ("unix:/run/vigil/control.sock").
    var location: String { get }
    /// Events at or after `since`, oldest first. Throws when Vigil cannot be reached.
    func events(since: Date) async throws -> [SupervisorEvent]
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
