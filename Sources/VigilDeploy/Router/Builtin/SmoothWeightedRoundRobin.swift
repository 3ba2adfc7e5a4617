import VigilManifest

/// Nginx's smooth weighted round-robin: every pick adds each color's weight to its running
/// score, takes the highest score and subtracts the total from it. Over any run of `total`
/// picks each color gets exactly its weight, interleaved (10/90 gives one blue in every ten),
/// which makes shares exact and testable without randomness.
///
/// The colors that can be picked (weight and port) are worked out once per table, so a pick
/// is a few integer operations over at most two entries.
struct SmoothWeightedRoundRobin: Sendable {
    let table: RoutingTable
    /// The colors with weight and a port, in `Color.allCases` order.
    let candidates: [Color]
    private let weights: [Int]
    private let total: Int
    private var scores: [Int]

    init(table: RoutingTable) {
        self.table = table
        let candidates = Color.allCases.filter { table.weight($0) > 0 && table.ports[$0] != nil }
        self.candidates = candidates
        weights = candidates.map { table.weight($0) }
        total = weights.reduce(0, +)
        scores = Array(repeating: 0, count: candidates.count)
    }

    /// The index in `candidates` of the next pick; nil when nothing can be picked.
    mutating func nextIndex() -> Int? {
        guard !candidates.isEmpty else { return nil }
        var best = 0
        for index in candidates.indices {
            scores[index] += weights[index]
            if scores[index] > scores[best] { best = index }
        }
        scores[best] -= total
        return best
    }

    /// The next color to send a request to; nil when no color with a port has weight.
    mutating func next() -> Color? {
        nextIndex().map { candidates[$0] }
    }
}
