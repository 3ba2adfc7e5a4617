import Foundation
import VigilManifest
import VigilTestKit
import XCTest

@testable import VigilDeploy

/// TCP mode: a color per connection, bytes spliced both ways.
final class BuiltinRouterTCPTests: XCTestCase {
    func testConnectionsAreSplitByWeightAndSpliced() async throws {
        let fixtures = try ColorFixtures.start()
        defer { fixtures.stop() }
        let proxy = try await RouterUnderTest.start(ports: fixtures.ports, weights: [.blue: 50, .green: 50], mode: .tcp)

        let colors = try await Task.detached {
            try (0..<20).map { _ -> String? in
                // Two requests per connection: both reach the color that connection was given.
                let client = try HTTPTestConnection(port: proxy.port)
                let first = try client.request(path: "/")
                let second = try client.request(path: "/")
                XCTAssertEqual(servedColor(first), servedColor(second))
                return servedColor(first)
            }
        }.value
        let counted = await poll {
            let blue = await proxy.router.stats(for: .blue, over: .seconds(60)).requests
            let green = await proxy.router.stats(for: .green, over: .seconds(60)).requests
            return blue + green == 20
        }
        let blue = await proxy.router.stats(for: .blue, over: .seconds(60))
        await proxy.router.shutdown()

        XCTAssertEqual(colors.filter { $0 == "blue" }.count, 10, "\(colors)")
        XCTAssertEqual(colors.filter { $0 == "green" }.count, 10, "\(colors)")
        XCTAssertTrue(counted, "each closed connection counts as one request of its color")
        XCTAssertEqual(blue.requests, 10)
        XCTAssertNotNil(blue.latencyP99)
    }

    func testRefusedColorIsRetriedAndLargePayloadSurvives() async throws {
        let payload = [UInt8]((0..<(4 << 20)).map { UInt8(97 + $0 % 26) })
        let backend = try LoopbackHTTPServer { request in
            .respond(status: 200, headers: [:], body: Array("\(request.body.count)".utf8) + payload)
        }
        defer { backend.stop() }
        let refusing = try freeTCPPort()
        let proxy = try await RouterUnderTest.start(ports: [.blue: refusing, .green: backend.port], weights: [.blue: 50, .green: 50], mode: .tcp)

        let response = try await Task.detached {
            try HTTPTestConnection(port: proxy.port, timeout: .seconds(30)).request(method: "POST", path: "/", body: String(repeating: "x", count: 3 << 20))
        }.value
        let response2 = try await Task.detached { try HTTPTestConnection(port: proxy.port).request(method: "POST", path: "/", body: "y") }.value
        let failures = await proxy.router.stats(for: .blue, over: .seconds(60)).connectFailures
        await proxy.router.shutdown()

        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.body.hasPrefix("\(3 << 20)"), "the 3 MiB upload went through whole")
        XCTAssertEqual(response.body.utf8.count, "\(3 << 20)".count + payload.count, "the 4 MiB download came back whole")
        XCTAssertEqual(response2.status, 200)
        XCTAssertEqual(failures, 1, "one of the two connections picked blue, was refused and went to green")
    }
}
