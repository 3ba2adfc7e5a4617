import Foundation
import VigilManifest
import VigilTestKit
import XCTest

@testable import VigilDeploy

/// Weight changes under load: nothing fails, requests in flight finish where they started.
final class BuiltinRouterSwitchTests: XCTestCase {
    func testTwentyWeightFlipsUnderLoadFailNoRequest() async throws {
        let fixtures = try ColorFixtures.start()
        defer { fixtures.stop() }
        let proxy = try await RouterUnderTest.start(ports: fixtures.ports, weights: [.blue: 100, .green: 0])
        let load = LoopbackLoad(port: proxy.port, connections: 16, maxDuration: .seconds(60), maxRequests: 200_000)
        load.start()
        _ = poll { load.snapshot.total >= 200 }
        for flip in 0..<20 {
            let color: Color = flip.isMultiple(of: 2) ? .green : .blue
            try await proxy.apply([color: 100, color.other: 0])
            let before = load.snapshot.total
            _ = poll(timeout: .seconds(10), interval: .milliseconds(10)) { load.snapshot.total >= before + 200 }
        }
        let result = load.stop()
        await proxy.router.shutdown()

        XCTAssertEqual(result.failed, 0, result.failureSummary)
        XCTAssertGreaterThan(result.succeeded, 1_000)
        XCTAssertGreaterThan(result.byColor["blue", default: 0], 0)
        XCTAssertGreaterThan(result.byColor["green", default: 0], 0)
    }

    func testSlowRequestInFlightFinishesOnItsOldColorAfterASwitch() async throws {
        let fixtures = try ColorFixtures.start(arguments: [.blue: ["--latency", "2s"]])
        defer { fixtures.stop() }
        let proxy = try await RouterUnderTest.start(ports: fixtures.ports, weights: [.blue: 100, .green: 0])

        let slow = Task.detached { () -> HTTPTestResponse? in
            try? HTTPTestConnection(port: proxy.port, timeout: .seconds(30)).request(path: "/")
        }
        let started = await poll { await proxy.router.inFlight(.blue) == 1 }
        XCTAssertTrue(started, "the slow request is in flight on blue")
        try await proxy.apply([.green: 100, .blue: 0])
        let next = await Task.detached { try? HTTPTestConnection(port: proxy.port).request(path: "/") }.value
        let stillOnBlue = await proxy.router.inFlight(.blue)
        let finished = await slow.value
        let drained = await poll { await proxy.router.inFlight(.blue) == 0 }
        await proxy.router.shutdown()

        XCTAssertEqual(next.flatMap(servedColor), "green", "a request after the switch goes to green")
        XCTAssertEqual(stillOnBlue, 1, "the switch does not cut the slow request")
        XCTAssertEqual(finished?.status, 200)
        XCTAssertEqual(finished.flatMap(servedColor), "blue", "the slow request finishes on the color it started on")
        XCTAssertTrue(drained)
    }

    func testApplyPrewarmsConnectionsToTheColorGivenTraffic() async throws {
        let blue = try LoopbackHTTPServer { _ in .respond(status: 200, headers: [:], body: Array("blue".utf8)) }
        let green = try LoopbackHTTPServer { _ in .respond(status: 200, headers: [:], body: Array("green".utf8)) }
        defer {
            blue.stop()
            green.stop()
        }
        let proxy = try await RouterUnderTest.start(ports: [.blue: blue.port, .green: green.port], weights: [.blue: 100, .green: 0])
        let clients = try (0..<4).map { _ in try HTTPTestConnection(port: proxy.port) }
        for client in clients { XCTAssertEqual(try client.request(path: "/").body, "blue") }
        XCTAssertEqual(green.accepted, 0, "no connection is opened to a color without traffic")

        try await proxy.apply([.green: 100, .blue: 0])
        let warmed = await poll { await proxy.router.idleUpstreamConnections(to: .green) == 4 }
        let afterSwitch = try clients.map { try $0.request(path: "/").body }
        let greenAccepted = green.accepted
        await proxy.router.shutdown()

        XCTAssertTrue(warmed, "apply opens one idle connection to green per open client connection")
        XCTAssertEqual(afterSwitch, Array(repeating: "green", count: 4))
        XCTAssertEqual(greenAccepted, 4, "the requests after the switch took the pre-warmed connections, none connected on its own")
    }

    func testShutdownLetsTheRequestInFlightFinishThenStopsListening() async throws {
        let fixtures = try ColorFixtures.start(arguments: [.blue: ["--latency", "1s"]])
        defer { fixtures.stop() }
        let proxy = try await RouterUnderTest.start(ports: fixtures.ports, weights: [.blue: 100, .green: 0])
        let idleClient = try HTTPTestConnection(port: proxy.port)
        XCTAssertEqual(try idleClient.request(path: "/health").status, 200)

        let slow = Task.detached { try? HTTPTestConnection(port: proxy.port, timeout: .seconds(30)).request(path: "/") }
        _ = await poll { await proxy.router.inFlight(.blue) == 1 }
        await proxy.router.shutdown()
        let finished = await slow.value

        XCTAssertEqual(finished?.status, 200, "the request in flight at shutdown is answered")
        XCTAssertEqual(finished?.headers["connection"], "close", "and its connection told to close")
        XCTAssertNil(SimpleHTTP.get(port: proxy.port, path: "/", timeout: .seconds(2)), "the router no longer listens")
        XCTAssertThrowsError(try idleClient.request(path: "/health"), "idle keep-alive connections are closed")
    }
}
