@testable import SOCEngine
import XCTest

/// The analytics' severity timeline: sixty whole minutes, the last one holding "now".
final class SeverityTimelineTests: XCTestCase {
    func testSixtyMinuteBucketsEndingInTheCurrentMinute() {
        let now = Date(timeIntervalSince1970: 1_794_999_960 + 42) // 42 s into a minute
        let start = SeverityTimeline.start(endingAt: now)
        XCTAssertEqual(start.timeIntervalSince1970, 1_794_999_960 - 59 * 60)
        var timeline = SeverityTimeline(start: start)
        XCTAssertEqual(timeline.buckets.count, 60)
        XCTAssertEqual(timeline.buckets.last?.start.timeIntervalSince1970, 1_794_999_960)
        timeline.add(bucket: 59, severity: "HIGH", count: 2)
        timeline.add(bucket: 59, severity: "HIGH", count: 1)
        timeline.add(bucket: 0, severity: "LOW", count: 1)
        timeline.add(bucket: 60, severity: "LOW", count: 5)
        timeline.add(bucket: -1, severity: "LOW", count: 5)
        XCTAssertEqual(timeline.buckets[59].counts, ["HIGH": 3])
        XCTAssertEqual(timeline.buckets[0].counts, ["LOW": 1])
        XCTAssertEqual(timeline.buckets.map { $0.counts.values.reduce(0, +) }.reduce(0, +), 4, "counts outside the hour are dropped")
    }
}
