import NIOConcurrencyHelpers
import VigilManifest

/// Where one request or connection goes: a color and its port, and where to retry when that
/// color refuses the connection, or drops it before answering a request that can be sent again.
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
    private struct Selection {
        var picker: SmoothWeightedRoundRobin
        /// The answer for each of `picker.candidates`, made once per table.
        let choices: [RouteChoice]
    }

    private let selection = NIOLockedValueBox<Selection?>(nil)

    /// Replaces the table (and restarts the round-robin on it).
    func apply(_ table: RoutingTable) {
        let picker = SmoothWeightedRoundRobin(table: table)
        // The fallback is the other color when it also has weight, else the table's fallback
        // (a ready warm standby): a color that fails a request is skipped rather than failing
        // it, but a color the rollout took out of service (weight 0, not the table's fallback)
        // is never sent traffic behind its back.
        let choices = picker.candidates.map { color -> RouteChoice in
            let other = color.other
            let usable = table.weight(other) > 0 || table.fallback == other
            let fallback = usable ? table.ports[other].map { RouteChoice.Fallback(color: other, port: $0) } : nil
            return RouteChoice(color: color, port: table.ports[color]!, fallback: fallback)
        }
        let next = Selection(picker: picker, choices: choices)
        selection.withLockedValue { $0 = next }
    }

    var table: RoutingTable? { selection.withLockedValue { $0?.picker.table } }

    /// The color for the next request; nil before the first `apply` or when nothing has weight.
    func pick() -> RouteChoice? {
        selection.withLockedValue { selection -> RouteChoice? in
            guard let index = selection?.picker.nextIndex() else { return nil }
            return selection?.choices[index]
        }
    }
}
