import VigilManifest

/// Nginx's smooth weighted round-robin: every pick adds each color's weight to its running
/// score, takes the highest score and subtracts the total from it. Over any run of `total`
/// picks each color gets exactly its weight, interleaved (10/90 gives one blue in every ten),
/// which makes shares exact and testable without randomness.
struct SmoothWeightedRoundRobin: Sendable {
    let table: RoutingTable
    private var scores: [Color: Int] = [:]

    init(table: RoutingTable) {
        self.table = table
    }

    /// The next color to send a request to; nil when no color with a port has weight.
    mutating func next() -> Color? {
        var total = 0
        var best: Color?
        for color in Color.allCases {
            let weight = table.weight(color)
            guard weight > 0, table.ports[color] != nil else { continue }
            total += weight
            scores[color, default: 0] += weight
            if best == nil || scores[color]! > scores[best!]! { best = color }
        }
        if let best { scores[best]! -= total }
        return best
    }
}
