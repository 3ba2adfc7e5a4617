import Foundation

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

extension OperationalContext {
    /// "a rollout and 2 restarts".
    static func describe(_ context: OperationalContext) -> String {
        var parts: [String] = []
        if context.rollouts > 0 { parts.append(context.rollouts == 1 ? "a rollout" : "\(context.rollouts) rollouts") }
        if context.restarts > 0 { parts.append(Say.plural(context.restarts, "restart")) }
        if context.crashLoops > 0 { parts.append(context.crashLoops == 1 ? "a crash loop" : "\(context.crashLoops) crash loops") }
        if context.reclaims > 0 { parts.append(Say.plural(context.reclaims, "reclaim")) }
        if parts.count <= 1 { return parts.first ?? "no changes" }
        return parts.dropLast().joined(separator: ", ") + " and " + parts.last!
    }
}
