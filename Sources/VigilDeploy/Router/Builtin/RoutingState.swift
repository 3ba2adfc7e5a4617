import NIOConcurrencyHelpers
import VigilManifest

/// Where one request or connection goes: a color and its port, and where to retry when that
/// color refuses the connection before anything was sent.
struct RouteChoice: Sendable, Equatable {
    var color: Color
    var port: UInt16
    var fallback: Fallback?

    struct Fallback: Sendable, Equatable {
        var color: Color
        var port: UInt16
    }
}

/// The routing table all event loops read, swapped whole under one lock by `apply`: a pick
/// sees either the old table or the new one, never a mix.
final class RoutingState: Sendable {
    private let selection = NIOLockedValueBox<SmoothWeightedRoundRobin?>(nil)

    /// Replaces the table (and restarts the round-robin on it).
    func apply(_ table: RoutingTable) {
        selection.withLockedValue { $0 = SmoothWeightedRoundRobin(table: table) }
    }

    var table: RoutingTable? { selection.withLockedValue { $0?.table } }

    /// The color for the next request; nil before the first `apply` or when nothing has weight.
    ///
    /// The fallback is the other color when it also has weight: a color that refuses
    /// connections is skipped rather than failing the request, but a color the rollout took
    /// out of service (weight 0) is never sent traffic behind its back.
    func pick() -> RouteChoice? {
        selection.withLockedValue { selection -> RouteChoice? in
            guard let color = selection?.next(), let table = selection?.table, let port = table.ports[color] else { return nil }
            let other = color.other
            let fallback = table.weight(other) > 0 ? table.ports[other].map { RouteChoice.Fallback(color: other, port: $0) } : nil
            return RouteChoice(color: color, port: port, fallback: fallback)
        }
    }
}
