import Foundation
import VigilManifest
import VigilSupervisor
import VigilTestKit
import XCTest

@testable import VigilDeploy

final class AnalysisTests: XCTestCase {
    let spec = AnalysisSpec(window: .seconds(30), minRequests: 20, maxErrorRate: Ratio(0.01), maxLatencyP99: .milliseconds(500))

    func testTooFewRequestsIsInconclusive() {
        let verdict = TrafficJudge.judge(RouterStats(requests: 3, serverErrors: 3), spec: spec, window: .seconds(30))
        XCTAssertEqual(verdict, .inconclusive("3 requests < minRequests 20 over 30s"))
    }

    func testErrorRateAboveTheLimitFailsWithTheNumbers() {
        let verdict = TrafficJudge.judge(RouterStats(requests: 412, serverErrors: 70, connectFailures: 12), spec: spec, window: .seconds(30))
        XCTAssertEqual(verdict, .fail("error rate 19.9% > 1% over 30s (412 requests)"))
    }

    func testAWindowShorterThanConfiguredReadsRounded() {
        let verdict = TrafficJudge.judge(RouterStats(requests: 31, serverErrors: 6), spec: spec, window: .milliseconds(2508))
        XCTAssertEqual(verdict, .fail("error rate 19.4% > 1% over 2.5s (31 requests)"))
    }

    func testSlowP99Fails() {
        let verdict = TrafficJudge.judge(RouterStats(requests: 100, latencyP99: .milliseconds(5100)), spec: spec, window: .seconds(30))
        XCTAssertEqual(verdict, .fail("latency p99 5.1s > 500ms over 30s (100 requests)"))
    }

    func testHealthyTrafficPasses() {
        let verdict = TrafficJudge.judge(RouterStats(requests: 400, serverErrors: 1, latencyP99: .milliseconds(12)), spec: spec, window: .seconds(30))
        XCTAssertEqual(verdict, .pass("error rate 0.25% <= 1%, latency p99 12ms <= 500ms over 30s (400 requests)"))
    }

    func testAnErrorRateExactlyAtTheLimitPasses() {
        guard case .pass = TrafficJudge.judge(RouterStats(requests: 100, serverErrors: 1), spec: spec, window: .seconds(30)) else {
            return XCTFail("1% is within maxErrorRate 1%")
        }
    }

    func testSuccessConditionsParseAndHold() throws {
        XCTAssertTrue(try SuccessCondition(parsing: "< 0.01").holds(for: 0.005))
        XCTAssertFalse(try SuccessCondition(parsing: "<0.01").holds(for: 0.01))
        XCTAssertTrue(try SuccessCondition(parsing: "<= 0.01").holds(for: 0.01))
        XCTAssertTrue(try SuccessCondition(parsing: ">= 0.99").holds(for: 0.995))
        XCTAssertTrue(try SuccessCondition(parsing: "== 0").holds(for: 0))
        XCTAssertTrue(try SuccessCondition(parsing: "!= 1").holds(for: 0))
        XCTAssertThrowsError(try SuccessCondition(parsing: "below 0.01")) { XCTAssertTrue("\($0)".contains("\"< 0.01\"")) }
        XCTAssertThrowsError(try SuccessCondition(parsing: "<"))
    }

    func testPrometheusAnswersAreRead() throws {
        let condition = try SuccessCondition(parsing: "< 0.01")
        let vector = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.1,"0.003"]}]}}"#
        XCTAssertEqual(PrometheusCheck.judge(status: 200, body: Array(vector.utf8), condition: condition, query: "q"), .pass("query `q` = 0.003 < 0.01"))
        let scalar = #"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"0.5"]}}"#
        XCTAssertEqual(PrometheusCheck.judge(status: 200, body: Array(scalar.utf8), condition: condition, query: "q"), .fail("query `q` = 0.5, not < 0.01"))
        let empty = #"{"status":"success","data":{"resultType":"vector","result":[]}}"#
        guard case .inconclusive(let why) = PrometheusCheck.judge(status: 200, body: Array(empty.utf8), condition: condition, query: "q") else { return XCTFail() }
        XCTAssertTrue(why.contains("0 series"), why)
        let error = #"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#
        guard case .inconclusive(let bad) = PrometheusCheck.judge(status: 400, body: Array(error.utf8), condition: condition, query: "q") else { return XCTFail() }
        XCTAssertTrue(bad.contains("parse error at char 3"), bad)
    }

    func testPrometheusQueryGoesThroughLibcurlWithTheQueryEncoded() async throws {
        let seen = LockedBox<String?>(nil)
        let server = try LoopbackHTTPServer { request in
            seen.set(request.path)
            return .respond(status: 200, headers: ["Content-Type": "application/json"],
                            body: Array(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"0.2"]}]}}"#.utf8))
        }
        defer { server.stop() }
        let curl = try CurlMulti()
        defer { curl.shutdown() }
        let query = #"sum(rate(http_errors{job="api"}[1m]))"#
        let check = PrometheusCheck(spec: .init(url: "http://127.0.0.1:\(server.port)/", query: query, successCondition: "< 0.01"), client: curl)
        let verdict = await check.run()
        guard case .fail(let why) = verdict else { return XCTFail("0.2 is not < 0.01: \(verdict)") }
        XCTAssertTrue(why.contains("= 0.2"), why)
        XCTAssertEqual(seen.get(), "/api/v1/query?query=sum%28rate%28http_errors%7Bjob%3D%22api%22%7D%5B1m%5D%29%29")
    }

    func testUnreachablePrometheusIsInconclusive() async throws {
        let curl = try CurlMulti()
        defer { curl.shutdown() }
        let port = try freeTCPPort()
        let verdict = await PrometheusCheck(spec: .init(url: "http://127.0.0.1:\(port)", query: "up", successCondition: "== 1"), client: curl).run()
        guard case .inconclusive(let why) = verdict else { return XCTFail("\(verdict)") }
        XCTAssertTrue(why.contains("did not answer"), why)
    }

    func testCombiningVerdicts() {
        XCTAssertEqual(RolloutAnalyzer.combine([.pass("a"), .fail("b"), .inconclusive("c")]), .fail("b"))
        XCTAssertEqual(RolloutAnalyzer.combine([.pass("a"), .inconclusive("c")]), .inconclusive("a; c"))
        XCTAssertEqual(RolloutAnalyzer.combine([.pass("a"), .pass("b")]), .pass("a; b"))
    }
}

/// A value shared with a server thread.
final class LockedBox<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func get() -> Value { lock.withLock { value } }
}
