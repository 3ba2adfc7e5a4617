import Foundation
import VigilManifest
import VigilTestKit
import XCTest

@testable import VigilDeploy

/// The builtin router's retries on another color: a refused connection goes to the other color
/// with weight, else to the table's fallback (the warm standby); a connection dropped before any
/// of the response is retried there too, for a bodiless idempotent request only, once.
final class BuiltinRouterRetryTests: XCTestCase {
    func testRefusedOnTheOnlyWeightedColorGoesToTheFallback() async throws {
        let standby = try Self.answering("green")
        defer { standby.stop() }
        let refusing = try freeTCPPort()
        let proxy = try await RouterUnderTest.start(ports: [.blue: refusing, .green: standby.port], weights: [.blue: 100, .green: 0], fallback: .green)

        let responses = try await Task.detached {
            let client = try HTTPTestConnection(port: proxy.port)
            return try (0..<20).map { _ in try client.request(path: "/") }
        }.value
        let blue = await proxy.router.stats(for: .blue, over: .seconds(60))
        let green = await proxy.router.stats(for: .green, over: .seconds(60))
        let inFlight = await proxy.router.inFlight(.blue) + proxy.router.inFlight(.green)
        await proxy.router.shutdown()

        XCTAssertEqual(responses.map(\.status), Array(repeating: 200, count: 20), "no request fails: the standby answers every one")
        XCTAssertEqual(Set(responses.map(\.body)), ["green"])
        XCTAssertEqual(blue.connectFailures, 20, "each refused connection counts against blue")
        XCTAssertEqual(green.requests, 20)
        XCTAssertEqual(green.errorRate, 0)
        XCTAssertEqual(inFlight, 0)
    }

    func testGETDroppedBeforeAnyResponseIsRetriedOnTheFallback() async throws {
        for reset in [false, true] {
            let dying = try LoopbackHTTPServer { _ in .hangUp(reset: reset) }
            defer { dying.stop() }
            let standby = try Self.answering("green")
            defer { standby.stop() }
            let proxy = try await RouterUnderTest.start(ports: [.blue: dying.port, .green: standby.port], weights: [.blue: 100, .green: 0], fallback: .green)

            let responses = try await Task.detached {
                let client = try HTTPTestConnection(port: proxy.port)
                return try ["GET", "OPTIONS", "DELETE", "GET"].map { try client.request(method: $0, path: "/") }
            }.value
            let blue = await proxy.router.stats(for: .blue, over: .seconds(60))
            let green = await proxy.router.stats(for: .green, over: .seconds(60))
            await proxy.router.shutdown()

            XCTAssertEqual(responses.map(\.status), [200, 200, 200, 200], "reset: \(reset)")
            XCTAssertEqual(responses.map(\.body), ["green", "green", "green", "green"], "reset: \(reset)")
            XCTAssertEqual(dying.requests.map(\.method), ["GET", "OPTIONS", "DELETE", "GET"], "blue saw each request once (reset: \(reset))")
            XCTAssertEqual(standby.requests.map(\.method), ["GET", "OPTIONS", "DELETE", "GET"], "reset: \(reset)")
            XCTAssertEqual(blue.connectFailures, 4, "every drop counts against blue though green answered (reset: \(reset))")
            XCTAssertEqual(blue.errorRate, 1)
            XCTAssertEqual(green.requests, 4)
            XCTAssertEqual(green.connectFailures, 0)
        }
    }

    func testDroppedGETGoesToTheOtherWeightedColor() async throws {
        let dying = try LoopbackHTTPServer { _ in .hangUp(reset: false) }
        defer { dying.stop() }
        let other = try Self.answering("green")
        defer { other.stop() }
        let proxy = try await RouterUnderTest.start(ports: [.blue: dying.port, .green: other.port], weights: [.blue: 50, .green: 50])

        let responses = try await Task.detached {
            let client = try HTTPTestConnection(port: proxy.port)
            return try (0..<20).map { _ in try client.request(path: "/") }
        }.value
        let blue = await proxy.router.stats(for: .blue, over: .seconds(60))
        await proxy.router.shutdown()

        XCTAssertEqual(responses.map(\.status), Array(repeating: 200, count: 20))
        XCTAssertEqual(dying.requests.count, 10, "blue's share was sent to blue first")
        XCTAssertEqual(other.requests.count, 20, "and answered by green")
        XCTAssertEqual(blue.connectFailures, 10)
    }

    func testRequestsWithABodyOrASideEffectAreNotRetried() async throws {
        let dying = try LoopbackHTTPServer { _ in .hangUp(reset: false) }
        defer { dying.stop() }
        let standby = try Self.answering("green")
        defer { standby.stop() }
        let proxy = try await RouterUnderTest.start(ports: [.blue: dying.port, .green: standby.port], weights: [.blue: 100, .green: 0], fallback: .green)

        let responses = try await Task.detached {
            let requests: [(method: String, body: String)] = [("POST", "{\"a\":1}"), ("POST", ""), ("PATCH", ""), ("PUT", "replace")]
            return try requests.map { try HTTPTestConnection(port: proxy.port).request(method: $0.method, path: "/", body: $0.body) }
        }.value
        let blue = await proxy.router.stats(for: .blue, over: .seconds(60))
        await proxy.router.shutdown()

        XCTAssertEqual(responses.map(\.status), [502, 502, 502, 502], responses.map(\.body).joined(separator: "\n"))
        XCTAssertTrue(responses[0].body.contains("closed the connection before answering"), responses[0].body)
        XCTAssertEqual(dying.requests.map(\.method), ["POST", "POST", "PATCH", "PUT"])
        XCTAssertEqual(standby.requests.count, 0, "POST, PATCH and a request with a body are sent once")
        XCTAssertEqual(blue.connectFailures, 4)
    }

    func testAResponseCutShortIsNotRetried() async throws {
        let dying = try LoopbackHTTPServer { _ in .truncated(status: 200, contentLength: 100, body: Array("0123456789".utf8)) }
        defer { dying.stop() }
        let standby = try Self.answering("green")
        defer { standby.stop() }
        let proxy = try await RouterUnderTest.start(ports: [.blue: dying.port, .green: standby.port], weights: [.blue: 100, .green: 0], fallback: .green)

        let received = try await Task.detached {
            let client = try RawClient(port: proxy.port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            return client.readToEnd()
        }.value
        let blue = await proxy.router.stats(for: .blue, over: .seconds(60))
        await proxy.router.shutdown()

        let text = String(decoding: received, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200"), text)
        XCTAssertTrue(text.hasSuffix("\r\n\r\n0123456789"), "the client gets what blue sent, then the connection closes: \(text)")
        XCTAssertEqual(standby.requests.count, 0, "once response bytes reached the client, nothing is retried")
        XCTAssertEqual(blue.connectFailures, 1)
    }

    func testARequestMovesToAnotherColorOnlyOnce() async throws {
        let dying = try LoopbackHTTPServer { _ in .hangUp(reset: false) }
        defer { dying.stop() }
        let alsoDying = try LoopbackHTTPServer { _ in .hangUp(reset: true) }
        defer { alsoDying.stop() }
        let proxy = try await RouterUnderTest.start(ports: [.blue: dying.port, .green: alsoDying.port], weights: [.blue: 100, .green: 0], fallback: .green)

        let response = await Task.detached { SimpleHTTP.get(port: proxy.port, path: "/") }.value
        let blue = await proxy.router.stats(for: .blue, over: .seconds(60))
        let green = await proxy.router.stats(for: .green, over: .seconds(60))
        let inFlight = await proxy.router.inFlight(.blue) + proxy.router.inFlight(.green)
        await proxy.router.shutdown()

        XCTAssertEqual(response?.status, 502)
        XCTAssertTrue(response?.body.contains("green") ?? false, "the last color tried is named: \(response?.body ?? "no response")")
        XCTAssertEqual(dying.requests.count, 1)
        XCTAssertEqual(alsoDying.requests.count, 1, "one retry, not a loop between the colors")
        XCTAssertEqual(blue.connectFailures, 1)
        XCTAssertEqual(green.connectFailures, 1)
        XCTAssertEqual(inFlight, 0)
    }

    func testTCPModeSendsARefusedConnectionToTheFallback() async throws {
        let standby = try Self.answering("green")
        defer { standby.stop() }
        let refusing = try freeTCPPort()
        let proxy = try await RouterUnderTest.start(
            ports: [.blue: refusing, .green: standby.port], weights: [.blue: 100, .green: 0], fallback: .green, mode: .tcp
        )

        let response = try await Task.detached { try HTTPTestConnection(port: proxy.port).request(path: "/") }.value
        let failures = await proxy.router.stats(for: .blue, over: .seconds(60)).connectFailures
        await proxy.router.shutdown()

        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, "green")
        XCTAssertEqual(failures, 1)
    }

    /// A backend that answers every request 200 with `body`.
    private static func answering(_ body: String) throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer { _ in .respond(status: 200, headers: [:], body: Array(body.utf8)) }
    }
}
