import Foundation

/// Log-scale latency buckets: each bucket is 10% wider than the one before, from 1 µs up to
/// about 3 minutes, so a percentile read back from them is within ~5% of the true value
/// (the bucket's geometric middle is reported) while a histogram stays 200 counters.
///
/// Everything is static: the ring keeps the counters, this only maps latencies to bucket
/// indexes and back.
enum LatencyHistogram {
    static let growth = 1.1
    static let bucketCount = 200
    private static let logGrowth = log(growth)

    /// The bucket holding `nanoseconds`; latencies below 1 µs share bucket 0, beyond the last
    /// bucket share the last.
    static func bucket(nanoseconds: UInt64) -> Int {
        let microseconds = Double(nanoseconds) / 1_000
        guard microseconds > 1 else { return 0 }
        return min(bucketCount - 1, Int(log(microseconds) / logGrowth))
    }

    /// A representative latency for `bucket`: the geometric middle of its bounds.
    static func representative(of bucket: Int) -> Duration {
        let lower = pow(growth, Double(bucket))
        let microseconds = lower * growth.squareRoot()
        return .nanoseconds(Int64(microseconds * 1_000))
    }

    /// The latency below which `quantile` (0–1) of `counts` fall; nil when `counts` is empty.
    static func quantile(_ quantile: Double, of counts: [UInt32]) -> Duration? {
        let total = counts.reduce(0) { $0 + UInt64($1) }
        guard total > 0 else { return nil }
        // The rank of the sample at the quantile, 1-based: p99 of 100 samples is the 99th.
        let rank = max(1, UInt64((Double(total) * quantile).rounded(.up)))
        var seen: UInt64 = 0
        for (index, count) in counts.enumerated() {
            seen += UInt64(count)
            if seen >= rank { return representative(of: index) }
        }
        return representative(of: counts.count - 1)
    }
}
