import VigilManifest
import XCTest

@testable import VigilSupervisor

/// `logs.rateLimit` decided line by line with the time passed in: no sleeps.
final class LogRateLimiterTests: XCTestCase {
    private let start = ContinuousClock.now

    /// What the limiter lets through for `text` at `seconds` after `start`.
    private func filter(_ limiter: inout LogRateLimiter, _ text: String, at seconds: Double) -> String {
        let bytes = Array(text.utf8)
        let pieces = bytes.withUnsafeBytes { limiter.filter($0, at: start + .milliseconds(Int(seconds * 1000))) }
        return pieces.map { piece in
            switch piece {
            case .bytes(let range): String(decoding: bytes[range], as: UTF8.self)
            case .marker(let marker): marker
            }
        }.joined()
    }

    private func lines(_ range: Range<Int>) -> String {
        range.map { "line \($0)\n" }.joined()
    }

    func testLinesOverTheLimitAreCountedAndTheNextWindowStartsWithTheMarker() {
        var limiter = LogRateLimiter(LogRateLimit(amount: .lines(3), per: .seconds(30)))
        XCTAssertEqual(filter(&limiter, lines(0..<5), at: 0), lines(0..<3))
        XCTAssertEqual(filter(&limiter, lines(5..<10), at: 29), "", "still the first window")
        XCTAssertEqual(limiter.markerDue, start + .seconds(30))
        XCTAssertEqual(
            filter(&limiter, lines(10..<12), at: 31),
            "vigil: 7 lines suppressed (logs.rateLimit: 3 lines per 30s)\n" + lines(10..<12)
        )
        XCTAssertNil(limiter.markerDue, "nothing suppressed in the new window yet")
    }

    func testAQuietWindowEndsWithoutAMarker() {
        var limiter = LogRateLimiter(LogRateLimit(amount: .lines(10), per: .seconds(1)))
        XCTAssertEqual(filter(&limiter, lines(0..<4), at: 0), lines(0..<4))
        XCTAssertEqual(filter(&limiter, lines(4..<8), at: 5), lines(4..<8))
        XCTAssertNil(limiter.windowEnded(at: start + .seconds(9)))
    }

    func testTheTimerWritesTheMarkerOfASilentServiceOnce() {
        var limiter = LogRateLimiter(LogRateLimit(amount: .lines(1), per: .seconds(2)))
        XCTAssertEqual(filter(&limiter, lines(0..<4), at: 0), lines(0..<1))
        XCTAssertNil(limiter.windowEnded(at: start + .seconds(1)), "the window is still open")
        XCTAssertEqual(limiter.windowEnded(at: start + .seconds(2)), "vigil: 3 lines suppressed (logs.rateLimit: 1 lines per 2s)\n")
        XCTAssertNil(limiter.windowEnded(at: start + .seconds(3)))
        XCTAssertEqual(filter(&limiter, lines(4..<6), at: 3), lines(4..<5), "a new window opened at 3s")
    }

    func testALineCutAcrossChunksKeepsTheFateOfItsFirstByte() {
        var limiter = LogRateLimiter(LogRateLimit(amount: .lines(1), per: .seconds(10)))
        XCTAssertEqual(filter(&limiter, "first ha", at: 0), "first ha")
        XCTAssertEqual(filter(&limiter, "lf\nsecond ha", at: 1), "lf\n")
        XCTAssertEqual(filter(&limiter, "lf\nthird\n", at: 12), "vigil: 1 lines suppressed (logs.rateLimit: 1 lines per 10s)\nthird\n")
    }

    func testAMarkerWaitsForAnAdmittedLineToEnd() {
        var limiter = LogRateLimiter(LogRateLimit(amount: .lines(1), per: .seconds(10)))
        XCTAssertEqual(filter(&limiter, "a\nb\nc\n", at: 0), "a\n")
        XCTAssertEqual(filter(&limiter, "half", at: 11), "vigil: 2 lines suppressed (logs.rateLimit: 1 lines per 10s)\nhalf")
        XCTAssertEqual(filter(&limiter, "\nx\ny\n", at: 12), "\n")
        XCTAssertNil(limiter.windowEnded(at: start + .seconds(15)), "the new window (11s-21s) is open")
        XCTAssertEqual(filter(&limiter, "more", at: 21), "vigil: 2 lines suppressed (logs.rateLimit: 1 lines per 10s)\nmore")
    }

    func testByteLimitAdmitsWholeLinesUntilTheBudgetIsSpent() {
        var limiter = LogRateLimiter(LogRateLimit(amount: .bytes(ByteSize(bytes: 10)), per: .seconds(5)))
        XCTAssertEqual(filter(&limiter, "123456\n1234567\nabc\n", at: 0), "123456\n1234567\n")
        XCTAssertEqual(limiter.windowEnded(at: start + .seconds(5)), "vigil: 1 lines suppressed (logs.rateLimit: 10 per 5s)\n")
    }
}
