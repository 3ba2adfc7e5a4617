import Foundation
@testable import SOCEngine
import VigilTestKit
import XCTest

/// The dashboard over real sockets: `/` by `Accept`, its embedded files, the security policy,
/// and the analytics and WebSocket additions it reads.
final class DashboardHTTPTests: XCTestCase {
    private var engine: EngineHarness!
    private let browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

    override func setUpWithError() throws { engine = try EngineHarness() }
    override func tearDown() {
        engine.stop()
        engine.directory.remove()
    }

    func testBrowsersGetThePageWithAStrictPolicyAndAPIClientsKeepJSON() throws {
        let page = try engine.request("GET", "/", headers: ["Accept": browserAccept])
        XCTAssertEqual(page.status, 200)
        XCTAssertEqual(page.headers["content-type"], "text/html; charset=utf-8")
        XCTAssertEqual(page.headers["vary"], "Accept")
        XCTAssertTrue(page.body.contains(#"<script type="module" src="/dashboard/app.js"></script>"#), page.body)
        let policy = try XCTUnwrap(page.headers["content-security-policy"])
        for directive in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"] {
            XCTAssertTrue(policy.contains(directive), "policy \(policy) lacks \(directive)")
        }
        XCTAssertFalse(policy.contains("unsafe"), policy)
        XCTAssertEqual(page.headers["x-content-type-options"], "nosniff")

        for accept in [nil, "*/*", "application/json"] {
            let api = try engine.request("GET", "/", headers: accept.map { ["Accept": $0] } ?? [:])
            XCTAssertEqual(api.headers["content-type"], "application/json", accept ?? "no Accept")
            XCTAssertEqual(try engine.json(api)["status"] as? String, "running")
            XCTAssertEqual(api.headers["vary"], "Accept")
        }
    }

    func testEveryFileIsServedWithItsTypeAndRevalidates() throws {
        let types = ["app.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8", "favicon.svg": "image/svg+xml"]
        for (name, type) in types {
            let file = try engine.request("/dashboard/\(name)")
            XCTAssertEqual(file.status, 200, name)
            XCTAssertEqual(file.headers["content-type"], type)
            XCTAssertEqual(file.body, EmbeddedData.dashboard[name])
            XCTAssertNotNil(file.headers["content-security-policy"])
        }
        for module in ["api.js", "charts.js", "detail.js", "dom.js", "feed.js", "live.js", "store.js"] {
            XCTAssertEqual(try engine.request("/dashboard/\(module)").status, 200, "app.js imports \(module)")
        }
        let etag = try XCTUnwrap(try engine.request("/dashboard/app.js").headers["etag"])
        let connection = try HTTPTestConnection(port: engine.port)
        try connection.send(raw: HTTPTestConnection.format(method: "GET", host: "127.0.0.1", port: engine.port, path: "/dashboard/app.js", headers: ["If-None-Match": etag]))
        XCTAssertEqual(try connection.readResponse(hasBody: false).status, 304)

        let missing = try engine.request("/dashboard/../vigil.db")
        XCTAssertEqual(missing.status, 404)
        let unknown = try engine.request("/dashboard/secrets.js")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertTrue((try engine.json(unknown)["detail"] as? String)?.contains("not found") == true, unknown.body)
    }

    /// The policy forbids inline code, so the page must have none: every script is a file, and
    /// no element carries an event handler or a style attribute. The scripts never parse API
    /// strings as markup.
    func testThePageHasNoInlineCodeAndTheScriptsNoMarkupSinks() throws {
        let page = try XCTUnwrap(EmbeddedData.dashboard[Dashboard.page])
        XCTAssertNil(page.range(of: #"<script(?![^>]*\ssrc=)[^>]*>"#, options: .regularExpression), "inline <script>")
        XCTAssertNil(page.range(of: #"\son[a-z]+\s*="#, options: .regularExpression), "inline event handler")
        XCTAssertNil(page.range(of: #"\sstyle\s*="#, options: .regularExpression), "style attribute")
        XCTAssertFalse(page.contains("<style"), "inline <style>")
        for (name, source) in EmbeddedData.dashboard where name.hasSuffix(".js") {
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
                XCTAssertFalse(source.contains(sink), "\(name) uses \(sink)")
            }
        }
    }

    /// The generated Swift matches `DataFiles/dashboard`: run `python3 scripts/embed-engine-data.py`
    /// after editing a dashboard file.
    func testEmbeddedFilesMatchTheSources() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/SOCEngine/DataFiles/dashboard")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(names, EmbeddedData.dashboard.keys.sorted(), "run python3 scripts/embed-engine-data.py")
        for name in names {
            let source = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            XCTAssertEqual(source, EmbeddedData.dashboard[name], "\(name) changed since it was embedded; run python3 scripts/embed-engine-data.py")
        }
    }

    func testAnalyticsCarryVerdictsTheFalsePositiveRateAndTheSeverityTimeline() throws {
        let before = try engine.json(try engine.request("/api/analytics"))
        XCTAssertNil(before["false_positive_rate"], "no rate before the first verdict")
        var ids: [String] = []
        for scenario in ["bot_attack", "critical_threat", "geo_impossible"] {
            ids.append(try XCTUnwrap(try engine.json(try engine.request("POST", "/api/threats/trigger", body: "{\"scenario\":\"\(scenario)\"}"))["id"] as? String))
        }
        XCTAssertEqual(try engine.request("PATCH", "/api/threats/\(ids[0])", body: #"{"status":"false_positive"}"#).status, 200)
        XCTAssertEqual(try engine.request("PATCH", "/api/threats/\(ids[1])", body: #"{"status":"escalated"}"#).status, 200)
        let analytics = try engine.json(try engine.request("/api/analytics"))
        XCTAssertEqual(analytics["threats_by_status"] as? [String: Int], ["false_positive": 1, "escalated": 1, "analyzed": 1])
        XCTAssertEqual(analytics["false_positive_rate"] as? Double, 0.5)
        let timeline = try XCTUnwrap(analytics["severity_over_time"] as? [String: Any])
        XCTAssertEqual(timeline["bucket_seconds"] as? Int, 60)
        let buckets = try XCTUnwrap(timeline["buckets"] as? [[String: Any]])
        XCTAssertEqual(buckets.count, 60)
        let counted = buckets.flatMap { ($0["counts"] as? [String: Int] ?? [:]).values }.reduce(0, +)
        XCTAssertEqual(counted, 3, "the three analyses of this minute (or the last two minutes) are in the timeline")
        XCTAssertEqual(analytics["threats_by_severity"] as? [String: Int], buckets.reduce(into: [String: Int]()) { sum, bucket in
            for (severity, count) in bucket["counts"] as? [String: Int] ?? [:] { sum[severity, default: 0] += count }
        })
    }

    func testAVerdictIsAnnouncedToWebSocketClients() throws {
        let id = try XCTUnwrap(try engine.json(try engine.request("POST", "/api/threats/trigger", body: "{}"))["id"] as? String)
        let client = try WebSocketTestClient(port: engine.port, path: "/ws")
        XCTAssertEqual(try client.receiveJSON()["type"] as? String, "initial_batch")
        XCTAssertEqual(try engine.request("PATCH", "/api/threats/\(id)", body: #"{"status":"resolved","note":"seen"}"#).status, 200)
        let message = try client.receiveJSON()
        XCTAssertEqual(message["type"] as? String, "threat_updated")
        let data = try XCTUnwrap(message["data"] as? [String: Any])
        XCTAssertEqual(data["id"] as? String, id)
        XCTAssertEqual(data["status"] as? String, "resolved")
        XCTAssertEqual(data["analyst_note"] as? String, "seen")
    }
}
