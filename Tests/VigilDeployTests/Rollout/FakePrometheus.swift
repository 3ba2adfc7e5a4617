import Foundation
import VigilTestKit

/// Prometheus' instant-query API (`GET /api/v1/query`) on a loopback port, answering what the
/// test says: the manifest's `analysis.prometheus` points at it, so a test decides when the
/// pre-promotion check may pass.
///
/// ```swift
/// let prometheus = try FakePrometheus(answering: .noData)   // inconclusive: the rollout waits in `analyzing`
/// options.prometheus = prometheus.manifestYAML(successCondition: "< 0.01")
/// ...
/// prometheus.answer(.value(0))                               // the check passes
/// ```
final class FakePrometheus {
    enum Answer: Sendable {
        /// A `vector` with no series: Vigil's check is inconclusive and asks again.
        case noData
        /// A `vector` with one series of this value.
        case value(Double)
    }

    private let current: LockedAnswer
    private let server: LoopbackHTTPServer

    init(answering answer: Answer) throws {
        let current = LockedAnswer(answer)
        self.current = current
        server = try LoopbackHTTPServer { request in
            guard request.path.hasPrefix("/api/v1/query?") else {
                return .respond(status: 404, headers: [:], body: Array("not found".utf8))
            }
            return .respond(status: 200, headers: ["Content-Type": "application/json"], body: Array(current.body().utf8))
        }
    }

    deinit { server.stop() }

    /// `{url: http://127.0.0.1:PORT, query: ..., successCondition: ...}`, for ``BlueGreenOptions/prometheus``.
    func manifestYAML(successCondition: String) -> String {
        #"{url: "http://127.0.0.1:\#(server.port)", query: "sum(rate(http_errors_total[1m]))", successCondition: "\#(successCondition)"}"#
    }

    /// Answers every later query with `answer`.
    func answer(_ answer: Answer) { current.set(answer) }

    /// How many instant queries were asked so far.
    var queries: Int { server.requests.filter { $0.path.hasPrefix("/api/v1/query?") }.count }
}

/// The answer the fake gives, shared with the server's connection threads.
private final class LockedAnswer: @unchecked Sendable {
    private let lock = NSLock()
    private var answer: FakePrometheus.Answer

    init(_ answer: FakePrometheus.Answer) { self.answer = answer }

    func set(_ answer: FakePrometheus.Answer) { lock.withLock { self.answer = answer } }

    /// The query result as Prometheus writes it: `{"status": "success", "data": {"resultType":
    /// "vector", "result": [{"metric": {}, "value": [unixTime, "value"]}]}}`.
    func body() -> String {
        let result: String
        switch lock.withLock({ answer }) {
        case .noData: result = "[]"
        case .value(let value): result = #"[{"metric":{},"value":[\#(Date().timeIntervalSince1970),"\#(value)"]}]"#
        }
        return #"{"status":"success","data":{"resultType":"vector","result":\#(result)}}"#
    }
}
