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
