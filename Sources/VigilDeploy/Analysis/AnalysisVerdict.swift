/// What one analysis concluded about a color, with a reason an operator can read in
/// `vigil history` and `deploy --wait` ("error rate 19.8% > 1% over 30s (412 requests)").
public enum AnalysisVerdict: Sendable, Equatable {
    case pass(String)
    case fail(String)
    /// Not enough evidence either way (too few requests, Prometheus unreachable): wait and ask again.
    case inconclusive(String)

    public var reason: String {
        switch self {
        case .pass(let reason), .fail(let reason), .inconclusive(let reason): reason
        }
    }
}

/// Which question an analysis answers; it decides what evidence counts.
public enum AnalysisStage: String, Sendable, Equatable {
    /// Before the new color has traffic: router stats say nothing yet, so only the optional
    /// Prometheus query is asked (readiness is watched by the rollout itself).
    case prePromotion
    /// During canary steps: router stats of the new color's share, and the Prometheus query.
    case canary
    /// After the switch: router stats of the new color, now carrying all traffic.
    case postPromotion
}
