import Foundation
import VigilTestKit
import XCTest

/// The rollout series of `/metrics` (SPEC section 6) after real rollouts: a real `vigil up` with
/// `metrics.listen` on a free loopback port, `vigil deploy --wait` from the CLI, requests through
/// the builtin router. Every value is compared with a scrape from before the step, by exact
/// difference; each scrape is polled until it shows the step (the counters move after the
/// answers the test sees), never bounded in time.
final class RolloutMetricsIntegrationTests: XCTestCase {
    func testPromotionAndRollbackMoveRolloutCountsActiveColorWeightsAndRouterCounts() throws {
        let metricsPort = try freeTCPPort()
        var options = BlueGreenOptions()
        // Long enough for a good revision on a busy machine; the never-ready one waits it out.
        options.progressDeadline = "30s"
        let harness = try BlueGreenHarness(options: options, extraConfigYAML: "metrics: {listen: 127.0.0.1:\(metricsPort)}")
        try harness.start()
        let metrics = RolloutSeries(port: metricsPort, service: harness.service)

        let initial = try XCTUnwrap(metrics.scrape { $0.activeColor("blue") == 1 }, "no /metrics on \(metricsPort): \(harness.vigil.output.suffix(3000))")
        metrics.assertServing("blue", in: initial, "the first revision")
        for result in ["promoted", "rolled_back", "aborted"] {
            XCTAssertEqual(initial.value("vigil_rollouts_total", ["service": harness.service, "result": result]), 0,
                           "every result's series exists at 0 before the first rollout, so increase() sees the first one")
        }

        // A good revision, under a bounded load so the post-switch analysis has requests to judge.
        let load = harness.startLoad(connections: 2)
        let good = try harness.deploy("v2")
        harness.assertSettled(on: "v2")
        let loadResult = load.stop()
        XCTAssertEqual(good.code, 0, good.output)
        XCTAssertEqual(loadResult.failed, 0, loadResult.failureSummary)
        let promoted = try XCTUnwrap(metrics.scrapeSettled { $0.rollouts("promoted") == initial.rollouts("promoted") + 1 })
        XCTAssertEqual(promoted.rollouts("promoted"), initial.rollouts("promoted") + 1, "one promotion")
        XCTAssertEqual(promoted.rollouts("rolled_back"), initial.rollouts("rolled_back"))
        XCTAssertEqual(promoted.rollouts("aborted"), initial.rollouts("aborted"))
        metrics.assertServing("green", in: promoted, "after the promotion")

        // Exactly `count` requests through the router: all on green, all 2xx, each timed once.
        let count = 150
        let batch = harness.batch(count, connections: 2)
        XCTAssertEqual(batch.succeeded, count, batch.failureSummary)
        XCTAssertEqual(batch.byColor, ["green": count])
        let served = try XCTUnwrap(metrics.scrapeSettled { $0.requests("green", "2xx") >= promoted.requests("green", "2xx") + Double(count) })
        XCTAssertEqual(served.requests("green", "2xx"), promoted.requests("green", "2xx") + Double(count), "one count a request")
        XCTAssertEqual(served.durations("green", "count"), promoted.durations("green", "count") + Double(count), "one observation a request")
        XCTAssertEqual(served.durationBucket("green", le: "+Inf"), promoted.durationBucket("green", le: "+Inf") + Double(count))
        XCTAssertGreaterThan(served.durations("green", "sum"), promoted.durations("green", "sum"))
        for codeClass in ["1xx", "3xx", "4xx", "5xx", "error"] {
            XCTAssertEqual(served.requests("green", codeClass), promoted.requests("green", codeClass), "no \(codeClass) on green")
        }
        XCTAssertEqual(served.routerSamples(color: "blue"), promoted.routerSamples(color: "blue"), "blue, stopped, got nothing")

        // A revision that never becomes ready: rolled back at the deadline, nothing moves.
        let bad = try harness.deploy("v3", env: ["READY_AFTER": "1h"])
        harness.assertSettled(on: "v2")
        XCTAssertEqual(bad.code, 3, bad.output)
        harness.assertRolledBack(because: "was not ready within progressDeadline")
        let rolledBack = try XCTUnwrap(metrics.scrapeSettled { $0.rollouts("rolled_back") == served.rollouts("rolled_back") + 1 })
        XCTAssertEqual(rolledBack.rollouts("rolled_back"), served.rollouts("rolled_back") + 1, "one rollback")
        XCTAssertEqual(rolledBack.rollouts("promoted"), served.rollouts("promoted"))
        XCTAssertEqual(rolledBack.rollouts("aborted"), served.rollouts("aborted"))
        metrics.assertServing("green", in: rolledBack, "after the rollback")
        XCTAssertEqual(rolledBack.routerSamples(color: "blue"), served.routerSamples(color: "blue"), "the unready color got no request")

        XCTAssertNil(try Promtool.remarks(on: rolledBack.text))
    }
}

/// Reads the rollout series of one service from `/metrics`.
private struct RolloutSeries {
    let port: UInt16
    let service: String

    func scrape() -> Exposition? {
        guard let response = SimpleHTTP.request(method: "GET", port: port, path: "/metrics", timeout: .seconds(10)),
              response.status == 200 else { return nil }
        return try? Exposition(response.body)
    }

    /// Scrapes until `condition` holds; that exposition, nil if it never did.
    func scrape(until condition: (Exposition) -> Bool) -> Exposition? {
        var last: Exposition?
        let held = poll(timeout: .seconds(60), interval: .milliseconds(200)) {
            last = scrape()
            return last.map(condition) ?? false
        }
        if !held { XCTFail("/metrics never showed the expected values; last scrape:\n\(last?.text ?? "none")") }
        return held ? last : nil
    }

    /// Scrapes until `condition` holds and the scrape before showed the same rollout and router
    /// series: nothing still in flight changes what the test compares.
    func scrapeSettled(until condition: (Exposition) -> Bool) -> Exposition? {
        var previous: [Exposition.Sample]?
        return scrape { exposition in
            let compared = exposition.rolloutSamples(service)
            defer { previous = compared }
            return condition(exposition) && compared == previous
        }
    }

    /// `vigil_active_color` is 1 on `color` and 0 on the other; `vigil_traffic_weight` is 100 and 0.
    func assertServing(_ color: String, in exposition: Exposition, _ when: String, file: StaticString = #filePath, line: UInt = #line) {
        let other = color == "blue" ? "green" : "blue"
        XCTAssertEqual(exposition.activeColor(color, service), 1, "\(when): \(color) is active", file: file, line: line)
        XCTAssertEqual(exposition.activeColor(other, service), 0, "\(when): \(other) is not", file: file, line: line)
        XCTAssertEqual(exposition.weight(color, service), 100, "\(when): \(color) has all traffic", file: file, line: line)
        XCTAssertEqual(exposition.weight(other, service), 0, "\(when): \(other) has none", file: file, line: line)
    }
}

extension Exposition {
    /// `vigil_rollouts_total{service="web",result=...}`; a result that never happened has no series yet: 0.
    func rollouts(_ result: String, _ service: String = "web") -> Double {
        value("vigil_rollouts_total", ["service": service, "result": result]) ?? 0
    }

    func activeColor(_ color: String, _ service: String = "web") -> Double? {
        value("vigil_active_color", ["service": service, "color": color])
    }

    func weight(_ color: String, _ service: String = "web") -> Double? {
        value("vigil_traffic_weight", ["service": service, "color": color])
    }

    /// `vigil_router_requests_total{service,color,code_class}` (0 when absent).
    func requests(_ color: String, _ codeClass: String, _ service: String = "web") -> Double {
        value("vigil_router_requests_total", ["service": service, "color": color, "code_class": codeClass]) ?? 0
    }

    /// `vigil_router_request_duration_seconds_count` or `_sum` (0 when absent).
    func durations(_ color: String, _ part: String, _ service: String = "web") -> Double {
        value("vigil_router_request_duration_seconds_\(part)", ["service": service, "color": color]) ?? 0
    }

    func durationBucket(_ color: String, le: String, _ service: String = "web") -> Double {
        value("vigil_router_request_duration_seconds_bucket", ["service": service, "color": color, "le": le]) ?? 0
    }

    /// The series this test compares: rollouts, active color, weights, router counts.
    func rolloutSamples(_ service: String) -> [Sample] {
        let families = ["vigil_rollouts_total", "vigil_active_color", "vigil_traffic_weight", "vigil_router_"]
        return samples.filter { sample in sample.labels["service"] == service && families.contains { sample.name.hasPrefix($0) } }
    }

    /// Every `vigil_router_*` sample of one color.
    func routerSamples(color: String, _ service: String = "web") -> [Sample] {
        samples.filter { $0.name.hasPrefix("vigil_router_") && $0.labels["service"] == service && $0.labels["color"] == color }
    }
}
