import Foundation
@testable import SOCEngine
import VigilTestKit
import XCTest

/// The HTTP API over real sockets on 127.0.0.1.
final class EngineAPITests: XCTestCase {
    private var engine: EngineHarness!

    override func setUpWithError() throws { engine = try EngineHarness() }
    override func tearDown() {
        engine.stop()
        engine.directory.remove()
    }

    func testServiceHealthReadyAndMetrics() throws {
        let root = try engine.json(try engine.request("/"))
        XCTAssertEqual(root["status"] as? String, "running")
        XCTAssertTrue((root["endpoints"] as? [String])?.contains("POST /api/signals") == true)
        let health = try engine.request("/health")
        XCTAssertEqual(health.status, 200)
        XCTAssertNotNil(try engine.json(health)["uptime_seconds"] as? Double)
        XCTAssertEqual(try engine.request("/ready").status, 200)
        _ = try engine.request("POST", "/api/threats/trigger", body: #"{"scenario":"bot_attack"}"#)
        let critical = try engine.json(try engine.request("POST", "/api/threats/trigger", body: #"{"scenario":"critical_threat"}"#))
        XCTAssertEqual(critical["requires_human_review"] as? Bool, true)
        let metrics = try engine.request("/metrics")
        XCTAssertEqual(metrics.status, 200)
        for name in ["soc_threats_processed_total{severity=", "soc_agent_duration_seconds_bucket{agent=\"devops\"", "soc_threat_processing_duration_seconds_count 2",
                     "soc_fp_score_count 2", "soc_active_websocket_connections 0", "# TYPE soc_threats_requiring_review gauge"] {
            XCTAssertTrue(metrics.body.contains(name), "metrics should contain \(name)")
        }
        XCTAssertTrue(metrics.body.contains("soc_threats_requiring_review 1") || metrics.body.contains("soc_threats_requiring_review 2"), metrics.body)
        let exposition = engine.directory.appending("metrics.txt")
        try metrics.body.write(toFile: exposition, atomically: true, encoding: .utf8)
        let promtool = try ProcessHandle(executable: "/bin/sh", arguments: ["-c", "promtool check metrics < \(exposition)"])
        XCTAssertEqual(promtool.waitForExit(timeout: .seconds(30)), 0, "promtool: \(promtool.output)")
        let id = try XCTUnwrap(critical["id"] as? String)
        let before = try engine.request("/metrics").body
        XCTAssertEqual(try engine.request("PATCH", "/api/threats/\(id)", body: #"{"status":"resolved"}"#).status, 200)
        let after = try engine.request("/metrics").body
        XCTAssertNotEqual(before.components(separatedBy: "\n").first { $0.hasPrefix("soc_threats_requiring_review ") },
                          after.components(separatedBy: "\n").first { $0.hasPrefix("soc_threats_requiring_review ") }, "a verdict clears the review flag")
    }

    func testPostSignalReturnsAFullAnalysis() throws {
        let response = try engine.request("POST", "/api/signals", body: Signals.json("bot_traffic", timestamp: "2026-11-21T17:03:00Z", metadata: [
            "source_ip": "203.0.113.7", "requests_per_minute": 4200, "endpoint": "/login", "failed_logins": 60,
        ]))
        XCTAssertEqual(response.status, 201, response.body)
        let analysis = try engine.json(response)
        for key in ["id", "signal", "status", "severity", "executive_summary", "mitre_tactics", "mitre_techniques", "customer_narrative",
                    "agent_analyses", "false_positive_score", "response_plan", "investigation_timeline", "total_processing_time_ms",
                    "created_at", "requires_human_review", "review_reason"] {
            XCTAssertTrue(analysis.keys.contains(key), "missing \(key)")
        }
        let agents = try XCTUnwrap(analysis["agent_analyses"] as? [String: [String: Any]])
        XCTAssertEqual(Set(agents.keys), ["historical", "config", "devops", "context", "priority"])
        for (_, agent) in agents {
            XCTAssertEqual(Set(agent.keys), ["agent_name", "analysis", "confidence", "key_findings", "recommendations", "processing_time_ms"])
        }
        XCTAssertTrue(["HIGH", "CRITICAL"].contains(analysis["severity"] as? String))
        let signal = try XCTUnwrap(analysis["signal"] as? [String: Any])
        XCTAssertEqual(signal["timestamp"] as? String, "2026-11-21T17:03:00.000Z")
        let plan = try XCTUnwrap(analysis["response_plan"] as? [String: Any])
        XCTAssertNotNil(plan["primary_action"] as? [String: Any])
        XCTAssertNotNil(plan["sla_minutes"] as? Int)
        XCTAssertNotNil((analysis["investigation_timeline"] as? [String: Any])?["events"] as? [Any])
        XCTAssertNotNil((analysis["false_positive_score"] as? [String: Any])?["indicators"] as? [Any])
    }

    func testInvalidSignalsAre400NamingTheField() throws {
        let cases = [
            (#"{"customer_name":"acme_corp","metadata":{}}"#, "threat_type"),
            (#"{"threat_type":"nope","customer_name":"acme_corp"}"#, "threat_type"),
            (#"{"threat_type":"bot_traffic","metadata":{}}"#, "customer_name"),
            (#"{"threat_type":"bot_traffic","customer_name":"a","metadata":{"source_ip":"1.2.3"}}"#, "metadata.source_ip"),
            ("{", "body"),
        ]
        for (body, field) in cases {
            let response = try engine.request("POST", "/api/signals", body: body)
            XCTAssertEqual(response.status, 400, body)
            let detail = try XCTUnwrap(try engine.json(response)["detail"] as? String)
            XCTAssertTrue(detail.hasPrefix(field + ":"), "\(detail) should name \(field)")
        }
    }

    func testBodiesOverOneMebibyteAre413() throws {
        let padding = String(repeating: "x", count: (1 << 20) + 10)
        let response = try engine.request("POST", "/api/signals", body: Signals.json("bot_traffic", metadata: ["padding": padding]))
        XCTAssertEqual(response.status, 413)
        // Without Content-Length (chunked), the limit applies while the body is read.
        let chunk = String(repeating: "y", count: 600 * 1024)
        let hex = String(chunk.utf8.count, radix: 16)
        let connection = try HTTPTestConnection(port: engine.port, timeout: .seconds(30))
        try connection.send(raw: "POST /api/signals HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "\(hex)\r\n\(chunk)\r\n\(hex)\r\n\(chunk)\r\n0\r\n\r\n")
        let chunked = try connection.readResponse()
        XCTAssertEqual(chunked.status, 413)
        XCTAssertTrue(chunked.body.contains("1 MiB"), chunked.body)
        XCTAssertEqual(try engine.request("GET", "/api/threats").status, 200, "the engine keeps serving")
    }

    func testBodiesThatAreNotAJSONObjectAre400WithADetail() throws {
        let id = try XCTUnwrap(try engine.json(try engine.request("POST", "/api/threats/trigger"))["id"] as? String)
        for (method, path) in [("POST", "/api/threats/trigger"), ("PATCH", "/api/threats/\(id)")] {
            for (body, detail) in [("{not json", "body: not valid JSON"), ("[1,2]", "body: expected a JSON object, found an array")] {
                let response = try engine.request(method, path, body: body)
                XCTAssertEqual(response.status, 400, "\(method) \(path) \(body)")
                XCTAssertEqual(response.headers["content-type"], "application/json")
                XCTAssertEqual(try engine.json(response)["detail"] as? String, detail)
            }
        }
    }

    func testTriggerScenariosAndTypes() throws {
        for scenario in ThreatGenerator.Scenario.allCases {
            let response = try engine.request("POST", "/api/threats/trigger", body: "{\"scenario\":\"\(scenario.rawValue)\"}")
            XCTAssertEqual(response.status, 201, response.body)
        }
        let critical = try engine.json(try engine.request("POST", "/api/threats/trigger", body: #"{"scenario":"critical_threat"}"#))
        XCTAssertEqual(critical["severity"] as? String, "CRITICAL")
        let typed = try engine.json(try engine.request("POST", "/api/threats/trigger", body: #"{"threat_type":"geo_anomaly"}"#))
        XCTAssertEqual((typed["signal"] as? [String: Any])?["threat_type"] as? String, "geo_anomaly")
        XCTAssertEqual(try engine.request("POST", "/api/threats/trigger").status, 201, "an empty body triggers a random threat")
        let unknown = try engine.request("POST", "/api/threats/trigger", body: #"{"threat_type":"phishing"}"#)
        XCTAssertEqual(unknown.status, 400)
        XCTAssertTrue((try engine.json(unknown)["detail"] as? String)?.hasPrefix("threat_type:") == true)
        XCTAssertEqual(try engine.request("POST", "/api/threats/trigger", body: #"{"scenario":"alien_invasion"}"#).status, 400)
    }

    func testListGetPatchAndAnalytics() throws {
        var ids: [String] = []
        for type in ["bot_traffic", "geo_anomaly", "proxy_network"] {
            let analysis = try engine.json(try engine.request("POST", "/api/threats/trigger", body: "{\"threat_type\":\"\(type)\"}"))
            ids.append(try XCTUnwrap(analysis["id"] as? String))
        }
        let list = try engine.json(try engine.request("/api/threats?limit=2&offset=0"))
        let threats = try XCTUnwrap(list["threats"] as? [[String: Any]])
        XCTAssertEqual(threats.map { $0["id"] as? String }, [ids[2], ids[1]], "newest first")
        XCTAssertEqual(list["total"] as? Int, 3)
        let page2 = try engine.json(try engine.request("/api/threats?limit=2&offset=2"))
        XCTAssertEqual((page2["threats"] as? [[String: Any]])?.first?["id"] as? String, ids[0])
        XCTAssertEqual(try engine.request("/api/threats?limit=0").status, 400)
        XCTAssertEqual(try engine.request("/api/threats?limit=101").status, 400)
        XCTAssertTrue((try engine.json(try engine.request("/api/threats?offset=-1"))["detail"] as? String)?.hasPrefix("offset:") == true)

        XCTAssertEqual(try engine.json(try engine.request("/api/threats/\(ids[1])"))["id"] as? String, ids[1])
        XCTAssertEqual(try engine.request("/api/threats/does-not-exist").status, 404)

        let patched = try engine.request("PATCH", "/api/threats/\(ids[0])", body: #"{"status":"false_positive","note":"our own crawler"}"#)
        XCTAssertEqual(patched.status, 200, patched.body)
        XCTAssertEqual(try engine.json(patched)["status"] as? String, "false_positive")
        XCTAssertEqual(try engine.json(try engine.request("/api/threats/\(ids[0])"))["analyst_note"] as? String, "our own crawler")
        let badStatus = try engine.request("PATCH", "/api/threats/\(ids[0])", body: #"{"status":"deleted"}"#)
        XCTAssertEqual(badStatus.status, 400)
        XCTAssertTrue((try engine.json(badStatus)["detail"] as? String)?.hasPrefix("status:") == true)
        XCTAssertEqual(try engine.request("PATCH", "/api/threats/nope", body: #"{"status":"resolved"}"#).status, 404)

        let analytics = try engine.json(try engine.request("/api/analytics"))
        XCTAssertEqual(analytics["total_threats"] as? Int, 3)
        XCTAssertEqual((analytics["threats_by_type"] as? [String: Int])?["geo_anomaly"], 1)
        XCTAssertEqual((analytics["threats_by_severity"] as? [String: Int])?.values.reduce(0, +), 3)
        XCTAssertNotNil(analytics["customers_affected"] as? Int)
        XCTAssertNotNil(analytics["average_processing_time_ms"] as? Double)
        XCTAssertNotNil(analytics["threats_requiring_review"] as? Int)
    }

    func testDataSurvivesAnEngineRestart() throws {
        let first = try engine.json(try engine.request("POST", "/api/threats/trigger", body: #"{"scenario":"geo_impossible"}"#))
        let id = try XCTUnwrap(first["id"] as? String)
        XCTAssertEqual(try engine.request("PATCH", "/api/threats/\(id)", body: #"{"status":"escalated"}"#).status, 200)
        let directory = engine.directory
        engine.stop()
        engine = try EngineHarness(directory: directory)
        let again = try engine.json(try engine.request("/api/threats/\(id)"))
        XCTAssertEqual(again["status"] as? String, "escalated")
        XCTAssertEqual(try engine.json(try engine.request("/api/analytics"))["total_threats"] as? Int, 1)
        let similar = try engine.json(try engine.request("POST", "/api/threats/trigger", body: #"{"scenario":"geo_impossible"}"#))
        let historical = try XCTUnwrap((similar["agent_analyses"] as? [String: [String: Any]])?["historical"])
        XCTAssertTrue((historical["key_findings"] as? [String])?.contains { $0.contains("1 escalated") } == true, "\(historical)")
    }

    func testReadyIs503WithAReasonWhenTheStoreIsUnusable() throws {
        XCTAssertEqual(try engine.request("/ready").status, 200)
        try engine.service.store.pool.close()
        let response = try engine.request("/ready")
        XCTAssertEqual(response.status, 503)
        let body = try engine.json(response)
        XCTAssertEqual(body["status"] as? String, "not_ready")
        XCTAssertTrue((body["reason"] as? String)?.contains("threat store") == true, "\(body)")
        XCTAssertEqual(try engine.request("/health").status, 200, "liveness does not depend on the store")
    }
}
