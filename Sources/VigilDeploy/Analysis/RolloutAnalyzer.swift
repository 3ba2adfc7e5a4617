import VigilManifest
import VigilSupervisor

/// Answers the rollout machine's ``RolloutStateMachine/Action/analyze(_:stage:window:generation:)``:
/// router stats for the stages that have traffic, the Prometheus query when one is configured.
public struct RolloutAnalyzer: Sendable {
    public let spec: AnalysisSpec
    let router: any TrafficRouter
    let prometheus: PrometheusCheck?

    public init(spec: AnalysisSpec, router: any TrafficRouter, curl: CurlMulti?) {
        self.spec = spec
        self.router = router
        self.prometheus = spec.prometheus.flatMap { query in curl.map { PrometheusCheck(spec: query, client: $0) } }
    }

    public func analyze(_ color: Color, stage: AnalysisStage, window: Duration) async -> AnalysisVerdict {
        var verdicts: [AnalysisVerdict] = []
        switch stage {
        case .prePromotion:
            // No traffic yet: router stats cannot speak. Readiness is held by the machine itself.
            if prometheus == nil { return .pass("ready; no prometheus query") }
        case .canary, .postPromotion:
            verdicts.append(TrafficJudge.judge(await router.stats(for: color, over: window), spec: spec, window: window))
        }
        if let prometheus, !verdicts.contains(where: { if case .fail = $0 { true } else { false } }) {
            verdicts.append(await prometheus.run())
        }
        return Self.combine(verdicts)
    }

    /// Any failure fails; otherwise anything inconclusive is inconclusive; otherwise pass.
    static func combine(_ verdicts: [AnalysisVerdict]) -> AnalysisVerdict {
        if let failed = verdicts.first(where: { if case .fail = $0 { true } else { false } }) { return failed }
        let reasons = verdicts.map(\.reason).joined(separator: "; ")
        if verdicts.contains(where: { if case .inconclusive = $0 { true } else { false } }) { return .inconclusive(reasons) }
        return .pass(reasons)
    }
}
