import Foundation

/// Analyses per severity in one-minute buckets over the last hour: the dashboard's
/// severity-over-time chart, part of `GET /api/analytics`.
///
/// Always ``bucketCount`` buckets, oldest first, the last one holding the current minute, so a
/// client can draw it without filling gaps:
///
/// ```json
/// {"bucket_seconds": 60, "buckets": [{"start": "2026-12-05T02:00:00.000Z", "counts": {"HIGH": 3}}, ...]}
/// ```
public struct SeverityTimeline: Sendable, Codable, Hashable {
    public static let bucketSeconds = 60
    public static let bucketCount = 60

    public struct Bucket: Sendable, Codable, Hashable {
        public var start: Date
        /// Analyses created in this minute, by severity; severities with none are left out.
        public var counts: [String: Int]
    }

    public var bucketSeconds: Int
    public var buckets: [Bucket]

    enum CodingKeys: String, CodingKey {
        case bucketSeconds = "bucket_seconds"
        case buckets
    }

    /// The start of the oldest bucket of a timeline whose last bucket holds `now`.
    public static func start(endingAt now: Date) -> Date {
        let minute = (now.timeIntervalSince1970 / Double(bucketSeconds)).rounded(.down) * Double(bucketSeconds)
        return Date(timeIntervalSince1970: minute - Double((bucketCount - 1) * bucketSeconds))
    }

    /// Empty buckets from `start` on.
    public init(start: Date) {
        bucketSeconds = Self.bucketSeconds
        buckets = (0..<Self.bucketCount).map {
            Bucket(start: start.addingTimeInterval(Double($0 * Self.bucketSeconds)), counts: [:])
        }
    }

    /// Adds `count` analyses of `severity` to bucket number `bucket`; numbers outside the
    /// timeline (a clock that moved) are dropped.
    public mutating func add(bucket: Int, severity: String, count: Int) {
        guard buckets.indices.contains(bucket) else { return }
        buckets[bucket].counts[severity, default: 0] += count
    }
}
