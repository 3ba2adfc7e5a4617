import VigilSupervisor

/// The one-line summary Vigil shows in `systemctl status` (`STATUS=`): how many services, and how
/// many are in each state, in lifecycle order.
///
/// ```swift
/// ServiceStatusSummary.line(for: report)  // "12 services: 11 ready, 1 backoff"
/// ```
public enum ServiceStatusSummary {
    /// `report`'s services counted by state (SPEC section 3 order; states it does not know come
    /// last, alphabetically), e.g. "3 services: 2 ready, 1 crashloop"; "no services" when empty.
    public static func line(for report: StatusReport) -> String {
        let total = report.services.count
        guard total > 0 else { return "no services" }
        var counts: [String: Int] = [:]
        for service in report.services { counts[service.state, default: 0] += 1 }
        let known = InstanceState.allCases.map(\.rawValue)
        let order = known.filter { counts[$0] != nil } + counts.keys.filter { !known.contains($0) }.sorted()
        let parts = order.map { "\(counts[$0]!) \($0)" }
        return "\(total) service\(total == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    }
}
