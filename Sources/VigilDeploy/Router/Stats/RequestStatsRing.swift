import NIOConcurrencyHelpers
import NIOCore
import VigilManifest

/// Per-second request counters and latency histograms for one color over the last five
/// minutes, so analysis can ask about any window up to that long without keeping every request.
///
/// Slot `s % slotCount` holds second `s` (of a monotonic clock); a slot still holding an older
/// second is cleared when reused, and ignored by queries. Recording is a lock, a few additions
/// and one `log`; a query sums at most `slotCount` slots.
final class RequestStatsRing: @unchecked Sendable {
    static let slotCount = 300

    private struct Slot {
        var second: Int64 = -1
        var requests = 0
        var serverErrors = 0
        var connectFailures = 0
    }

    private let lock = NIOLock()
    private var slots = [Slot](repeating: Slot(), count: RequestStatsRing.slotCount)
    /// `slotCount` histograms of `LatencyHistogram.bucketCount` counters, back to back.
    private var histograms = [UInt32](repeating: 0, count: RequestStatsRing.slotCount * LatencyHistogram.bucketCount)
    private let now: @Sendable () -> UInt64

    /// `now`: monotonic nanoseconds; tests pass a fake clock.
    init(now: @escaping @Sendable () -> UInt64 = { NIODeadline.now().uptimeNanoseconds }) {
        self.now = now
    }

    /// A request that got a response with `status`, `latency` after it was sent.
    func recordResponse(status: Int, latencyNanoseconds: UInt64) {
        let bucket = LatencyHistogram.bucket(nanoseconds: latencyNanoseconds)
        lock.withLock {
            let index = currentSlot()
            slots[index].requests += 1
            if status >= 500 { slots[index].serverErrors += 1 }
            histograms[index * LatencyHistogram.bucketCount + bucket] += 1
        }
    }

    /// A request or connection that never got an answer from the color.
    func recordConnectFailure() {
        lock.withLock {
            let index = currentSlot()
            slots[index].requests += 1
            slots[index].connectFailures += 1
        }
    }

    /// What happened over the trailing `window` (clamped to the ring's five minutes), the
    /// current, partial second included.
    func stats(over window: Duration) -> RouterStats {
        let seconds = min(Int64(RequestStatsRing.slotCount), max(1, Int64((window / .seconds(1)).rounded(.up))))
        var result = RouterStats()
        var histogram = [UInt32](repeating: 0, count: LatencyHistogram.bucketCount)
        lock.withLock {
            let current = Int64(now() / 1_000_000_000)
            let oldest = current - seconds + 1
            for (index, slot) in slots.enumerated() where slot.second >= oldest && slot.second <= current {
                result.requests += slot.requests
                result.serverErrors += slot.serverErrors
                result.connectFailures += slot.connectFailures
                let base = index * LatencyHistogram.bucketCount
                for bucket in 0..<LatencyHistogram.bucketCount {
                    histogram[bucket] += histograms[base + bucket]
                }
            }
        }
        result.latencyP99 = LatencyHistogram.quantile(0.99, of: histogram)
        return result
    }

    /// The slot for the current second, cleared if it held an older one. Call with the lock held.
    private func currentSlot() -> Int {
        let second = Int64(now() / 1_000_000_000)
        let index = Int(second % Int64(RequestStatsRing.slotCount))
        if slots[index].second != second {
            slots[index] = Slot(second: second)
            let base = index * LatencyHistogram.bucketCount
            for bucket in base..<(base + LatencyHistogram.bucketCount) { histograms[bucket] = 0 }
        }
        return index
    }
}
