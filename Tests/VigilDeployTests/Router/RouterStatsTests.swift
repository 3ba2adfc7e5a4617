import Foundation
import NIOConcurrencyHelpers
import VigilManifest
import VigilTestKit
import XCTest

@testable import VigilDeploy

/// Per-color window stats: the ring with a fake clock, and the router against a fixture with
/// errors and latency.
final class RouterStatsTests: XCTestCase {
    func testP99FromTheHistogramIsWithinTenPercent() {
        let clock = FakeNanoClock()
        let ring = RequestStatsRing(now: clock.read)
        for millisecond in 1...1_000 {
            ring.recordResponse(status: 200, latencyNanoseconds: UInt64(millisecond) * 1_000_000)
        }
        let stats = ring.stats(over: .seconds(10))
        XCTAssertEqual(stats.requests, 1_000)
        let p99 = try! XCTUnwrap(stats.latencyP99)
        XCTAssertEqual(Double(p99 / .milliseconds(1)), 990, accuracy: 99, "p99 of 1...1000 ms is 990 ms")
    }

    func testWindowCountsOnlyItsSeconds() {
        let clock = FakeNanoClock()
        let ring = RequestStatsRing(now: clock.read)
        ring.recordResponse(status: 500, latencyNanoseconds: 1_000)
        clock.advance(seconds: 100)
        ring.recordResponse(status: 200, latencyNanoseconds: 1_000)
        ring.recordConnectFailure()

        let recent = ring.stats(over: .seconds(30))
        XCTAssertEqual(recent.requests, 2)
        XCTAssertEqual(recent.serverErrors, 0)
        XCTAssertEqual(recent.connectFailures, 1)
        XCTAssertEqual(recent.errorRate, 0.5)
        let all = ring.stats(over: .seconds(120))
        XCTAssertEqual(all.requests, 3)
        XCTAssertEqual(all.serverErrors, 1)

        clock.advance(seconds: 400)
        XCTAssertEqual(ring.stats(over: .seconds(300)), RouterStats(), "a slot five minutes old no longer counts")
    }

    func testSmoothWeightedRoundRobinGivesExactInterleavedShares() {
        var picker = SmoothWeightedRoundRobin(table: RoutingTable(weights: [.blue: 10, .green: 90], ports: [.blue: 1, .green: 2]))
        let picks = (0..<1_000).compactMap { _ in picker.next() }
        XCTAssertEqual(picks.filter { $0 == .blue }.count, 100)
        XCTAssertEqual(picks.prefix(10).filter { $0 == .blue }.count, 1, "one blue in every ten, not a burst")
        var silent = SmoothWeightedRoundRobin(table: RoutingTable(weights: [.blue: 0, .green: 0], ports: [.blue: 1, .green: 2]))
        XCTAssertNil(silent.next())
    }

    func testRouterCountsFiveHundredsAndLatencyPerColor() async throws {
        let fixtures = try ColorFixtures.start(arguments: [.blue: ["--error-rate", "0.2", "--latency", "50ms"]])
        defer { fixtures.stop() }
        let proxy = try await RouterUnderTest.start(ports: fixtures.ports, weights: [.blue: 100, .green: 0])

        let statuses = try await Task.detached {
            let client = try HTTPTestConnection(port: proxy.port)
            return try (0..<100).map { _ in try client.request(path: "/").status }
        }.value
        let blue = await proxy.router.stats(for: .blue, over: .seconds(120))
        let green = await proxy.router.stats(for: .green, over: .seconds(120))
        await proxy.router.shutdown()

        XCTAssertEqual(statuses.filter { $0 == 500 }.count, 20)
        XCTAssertEqual(blue.requests, 100)
        XCTAssertEqual(blue.serverErrors, 20)
        XCTAssertEqual(blue.errorRate, 0.2, accuracy: 0.001)
        let p99 = try XCTUnwrap(blue.latencyP99)
        XCTAssertGreaterThanOrEqual(p99, .milliseconds(45), "p99 includes the fixture's 50 ms latency")
        XCTAssertEqual(green, RouterStats())
    }
}

/// A monotonic clock tests move by hand.
final class FakeNanoClock: Sendable {
    private let nanoseconds = NIOLockedValueBox<UInt64>(1_000_000_000_000)
    var read: @Sendable () -> UInt64 { { [nanoseconds] in nanoseconds.withLockedValue { $0 } } }
    func advance(seconds: UInt64) { nanoseconds.withLockedValue { $0 += seconds * 1_000_000_000 } }
}
