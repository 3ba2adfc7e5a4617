import Foundation
@testable import SOCEngine
import VigilTestKit
import XCTest

/// The devops agent's transport: Vigil's `GET /v1/events` served over a real Unix socket by a
/// loopback HTTP server, read through libcurl.
final class DevopsTransportTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var server: LoopbackHTTPServer?

    override func setUpWithError() throws { directory = try TemporaryDirectory(prefix: "socd") }
    override func tearDown() {
        server?.stop()
        directory.remove()
    }

    /// Serves `eventsJSON` (Vigil's JSON shape) on a Unix socket; returns its path and the server,
    /// which records the requests.
    private func serve(eventsJSON: String) throws -> (socket: String, server: LoopbackHTTPServer) {
        let socket = directory.appending("control.sock")
        let body = Array(eventsJSON.utf8)
        let server = try LoopbackHTTPServer(unixSocket: socket) { _ in
            .respond(status: 200, headers: ["Content-Type": "application/json"], body: body)
        }
        self.server = server
        return (socket, server)
    }

    func testEventsAreReadOverTheUnixSocketAndReachTheDevopsFindings() async throws {
        let now = Date()
        let rolloutTime = ISO8601.format(now.addingTimeInterval(-240))
        let restartTime = ISO8601.format(now.addingTimeInterval(-120))
        let (socket, server) = try serve(eventsJSON: """
            {"events":[
              {"id":12,"time":"\(rolloutTime)","service":"api","color":"blue","kind":"rollout_started","reason":null,"message":"rollout of api to revision 9","pid":null},
              {"id":13,"time":"\(restartTime)","service":"api","color":null,"kind":"restarted","reason":"exit","message":"api exited with status 1","pid":4242}
            ]}
            """)
        let source = CurlEventSource(control: socket)
        XCTAssertEqual(source.location, "unix:\(socket)")
        let events = try await source.events(since: now.addingTimeInterval(-900))
        XCTAssertEqual(events.map(\.kind.rawValue), ["rollout_started", "restarted"])
        XCTAssertEqual(events[1].pid, 4242)
        XCTAssertEqual(events[0].color, "blue")
        let requested = server.requests.map(\.path).joined(separator: "\n")
        XCTAssertTrue(requested.hasPrefix("/v1/events?since="), requested)
        XCTAssertTrue(requested.contains("limit=200"), requested)

        let coordinator = ThreatCoordinator(knowledge: try .embedded(), history: HistoryIndex(),
                                            agents: ThreatCoordinator.standardAgents(events: CachedEventSource(source)))
        let analysis = await coordinator.analyze(Signals.make(.anomalyDetection, at: now, metadata: ["source_ip": .string("198.18.170.3")]))
        let devops = analysis.agentAnalyses.devops
        XCTAssertTrue(devops.keyFindings.contains { $0.hasPrefix("Rollout started of api (blue) 4 minutes before the signal") }, "\(devops.keyFindings)")
        XCTAssertTrue(devops.keyFindings.contains { $0.contains("Restarted of api 2 minutes before the signal, reason exit") }, "\(devops.keyFindings)")
        XCTAssertGreaterThanOrEqual(devops.confidence, 0.8)
    }

    func testMissingSocketMakesTheAgentSaySoWithLowConfidence() async throws {
        let source = CurlEventSource(control: directory.appending("absent.sock"), timeout: 1)
        do {
            _ = try await source.events(since: Date())
            XCTFail("reading from a missing socket should fail")
        } catch {
            XCTAssertTrue("\(error)".contains("absent.sock"), "\(error)")
        }
        let agent = DevopsAgent(source: CachedEventSource(source))
        let input = AgentInput(signal: Signals.make(.botTraffic, metadata: [:]), knowledge: try .embedded(), history: HistoryIndex())
        let finding = try await agent.analyze(input)
        XCTAssertTrue(finding.analysis.analysis.contains("not reachable"), finding.analysis.analysis)
        XCTAssertLessThanOrEqual(finding.analysis.confidence, 0.2)
        XCTAssertEqual(finding.operations?.reachable, false)
    }

    func testTheCacheCallsVigilOncePerPeriod() async throws {
        let (socket, server) = try serve(eventsJSON: #"{"events":[]}"#)
        let cached = CachedEventSource(CurlEventSource(control: socket), ttl: 60)
        for _ in 0..<20 { _ = try await cached.events(since: Date().addingTimeInterval(-60)) }
        let requests = server.requests
        XCTAssertEqual(requests.count, 1, "twenty reads within the cache period make one request")
    }
}
