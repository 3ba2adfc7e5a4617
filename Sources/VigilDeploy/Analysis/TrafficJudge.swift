import VigilManifest
import VigilSupervisor

/// Judges one color from the router's own request statistics against `deploy.analysis`.
///
/// Fewer than `minRequests` is inconclusive (the rollout waits for more traffic); otherwise the
/// error rate (5xx and connection failures) and the latency p99 each fail the color on their own.
///
/// ```swift
/// TrafficJudge.judge(RouterStats(requests: 412, serverErrors: 82), spec: analysis, window: .seconds(30))
/// // .fail("error rate 19.9% > 1% over 30s (412 requests)")
/// ```
public enum TrafficJudge {
    public static func judge(_ stats: RouterStats, spec: AnalysisSpec, window: Duration) -> AnalysisVerdict {
        // The window may be the time since the color got traffic (2.508s): read it rounded.
        let over = "over \(latency(window)) (\(stats.requests) requests)"
        if stats.requests < max(spec.minRequests, 1) {
            return .inconclusive("\(stats.requests) requests < minRequests \(spec.minRequests) over \(latency(window))")
        }
        let errorText = "error rate \(percent(stats.errorRate))"
        if stats.errorRate > spec.maxErrorRate.value {
            return .fail("\(errorText) > \(percent(spec.maxErrorRate.value)) \(over)")
        }
        var text = "\(errorText) <= \(percent(spec.maxErrorRate.value))"
        if let p99 = stats.latencyP99 {
            if p99 > spec.maxLatencyP99 {
                return .fail("latency p99 \(latency(p99)) > \(latency(spec.maxLatencyP99)) \(over)")
            }
            text += ", latency p99 \(latency(p99)) <= \(latency(spec.maxLatencyP99))"
        }
        return .pass("\(text) \(over)")
    }

    /// `12ms`, `5.1s`: latencies rounded for reading, not the exact manifest spelling.
    static func latency(_ d: Duration) -> String {
        let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        if ms < 1000 { return "\(Int(ms.rounded()))ms" }
        var text = String(format: "%.1f", ms / 1000)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text + "s"
    }

    /// `19.8%`, `1%`, `0.25%`: one decimal, more only below 1%, trailing zeros dropped.
    static func percent(_ ratio: Double) -> String {
        let value = ratio * 100
        let digits = value != 0 && value < 1 ? 2 : 1
        var text = String(format: "%.\(digits)f", value)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }
}
