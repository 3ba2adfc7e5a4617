import Foundation
@testable import SOCEngine
import VigilTestKit
import XCTest

/// `WS /ws` over a real connection.
final class EngineWebSocketTests: XCTestCase {
    func testInitialBatchThenNewThreatsAndPingPong() throws {
        let engine = try EngineHarness()
        defer {
            engine.stop()
            engine.directory.remove()
        }
        var ids: [String] = []
        for _ in 0..<22 {
            let analysis = try engine.json(try engine.request("POST", "/api/threats/trigger", body: "{}"))
            ids.append(try XCTUnwrap(analysis["id"] as? String))
        }
        let client = try WebSocketTestClient(port: engine.port, path: "/ws")
        let initial = try client.receiveJSON()
        XCTAssertEqual(initial["type"] as? String, "initial_batch")
        let batch = try XCTUnwrap(initial["data"] as? [[String: Any]])
        XCTAssertEqual(batch.count, 20, "at most 20 in the initial batch")
        XCTAssertEqual(batch.first?["id"] as? String, ids.last, "newest first")
        XCTAssertNotNil(initial["timestamp"] as? String)
        XCTAssertTrue(poll { engine.service.metrics.activeWebSockets == 1 })

        try client.sendText(#"{"type":"ping"}"#)
        XCTAssertEqual(try client.receiveJSON()["type"] as? String, "pong")

        let posted = try engine.json(try engine.request("POST", "/api/signals", body: Signals.json("geo_anomaly", customer: "globalbank", metadata: ["location": "RU", "previous_location": "US", "travel_speed_kmh": 9000])))
        let message = try client.receiveJSON()
        XCTAssertEqual(message["type"] as? String, "new_threat")
        XCTAssertEqual((message["data"] as? [String: Any])?["id"] as? String, posted["id"] as? String)
        XCTAssertTrue(try engine.request("/metrics").body.contains("soc_active_websocket_connections 1"))
    }
}
