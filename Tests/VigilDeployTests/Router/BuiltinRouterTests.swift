import Foundation
import VigilManifest
import VigilTestKit
import XCTest

@testable import VigilDeploy

/// The builtin router as an HTTP/1.1 reverse proxy: shares, keep-alive, bodies, headers, retries.
final class BuiltinRouterTests: XCTestCase {
    func testWeightsSplitRequestsByTheirShares() async throws {
        let fixtures = try ColorFixtures.start()
        defer { fixtures.stop() }
        let proxy = try await RouterUnderTest.start(ports: fixtures.ports, weights: [.blue: 10, .green: 90])

        let counts = try await Task.detached {
            var counts: [String: Int] = [:]
            let connections = try (0..<4).map { _ in try HTTPTestConnection(port: proxy.port) }
            for index in 0..<1_000 {
                let response = try connections[index % 4].request(path: "/")
                XCTAssertEqual(response.status, 200)
                counts[servedColor(response) ?? "none", default: 0] += 1
            }
            return counts
        }.value
        await proxy.router.shutdown()

        XCTAssertEqual(counts["blue", default: 0] + counts["green", default: 0], 1_000, "\(counts)")
        XCTAssertEqual(Double(counts["blue", default: 0]), 100, accuracy: 30, "\(counts)")
        XCTAssertEqual(Double(counts["green", default: 0]), 900, accuracy: 30, "\(counts)")
    }

    func testKeepAliveConnectionsAreReusedOnBothSides() async throws {
        let backend = try LoopbackHTTPServer { _ in .respond(status: 200, headers: [:], body: Array("ok".utf8)) }
        defer { backend.stop() }
        let proxy = try await RouterUnderTest.start(ports: [.blue: backend.port, .green: 1], weights: [.blue: 100])

        let statuses = try await Task.detached {
            let client = try HTTPTestConnection(port: proxy.port)
            return try (0..<50).map { _ in try client.request(path: "/").status }
        }.value
        let idle = await proxy.router.idleUpstreamConnections()
        await proxy.router.shutdown()

        XCTAssertEqual(statuses, Array(repeating: 200, count: 50), "all 50 requests answered on one client connection")
        XCTAssertEqual(backend.accepted, 1, "the router reuses its keep-alive connection to the color")
        XCTAssertEqual(backend.requests.count, 50)
        XCTAssertEqual(idle, 1, "the upstream connection waits in the pool between requests")
    }

    func testPipelinedRequestsAreAnsweredInOrder() async throws {
        // The router serves one request of a connection at a time: requests sent back to back
        // in one write wait for the response ahead of them and are answered in order.
        let backend = try LoopbackHTTPServer { request in .respond(status: 200, headers: [:], body: Array("path=\(request.path);".utf8)) }
        defer { backend.stop() }
        let proxy = try await RouterUnderTest.start(ports: [.blue: backend.port, .green: 1], weights: [.blue: 100])

        let received = try await Task.detached {
            let client = try RawClient(port: proxy.port)
            try client.send((1...3).map { "GET /p\($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
            return client.read { $0.contains("path=/p3;") }
        }.value
        await proxy.router.shutdown()
        let text = String(decoding: received, as: UTF8.self)
        let order = ["path=/p1;", "path=/p2;", "path=/p3;"].map { text.range(of: $0)?.lowerBound }
        XCTAssertFalse(order.contains(nil), text)
        XCTAssertEqual(order.compactMap { $0 }, order.compactMap { $0 }.sorted(), "answered in the order sent: \(text)")
        XCTAssertEqual(text.components(separatedBy: "HTTP/1.1 200").count - 1, 3, text)
    }

    func testUpstreamConnectionClosedByTheBackendIsDroppedFromThePool() async throws {
        let backend = try LoopbackHTTPServer { _ in .respond(status: 200, headers: [:], body: Array("ok".utf8)) }
        let proxy = try await RouterUnderTest.start(ports: [.blue: backend.port, .green: 1], weights: [.blue: 100])
        XCTAssertEqual(SimpleHTTP.get(port: proxy.port, path: "/")?.status, 200)
        let pooled = await proxy.router.idleUpstreamConnections()
        XCTAssertEqual(pooled, 1)
        backend.stop()
        let dropped = await poll { await proxy.router.idleUpstreamConnections() == 0 }
        await proxy.router.shutdown()
        XCTAssertTrue(dropped, "a pooled connection the backend closed leaves the pool")
    }

    func testHopByHopHeadersAreStrippedAndForwardedForIsAppended() async throws {
        let backend = try LoopbackHTTPServer { _ in
            .respond(status: 200, headers: ["Connection": "keep-alive, X-Backend-Private", "X-Backend-Private": "1", "Keep-Alive": "timeout=99", "X-Kept": "yes"], body: Array("ok".utf8))
        }
        defer { backend.stop() }
        let proxy = try await RouterUnderTest.start(ports: [.blue: backend.port, .green: 1], weights: [.blue: 100])

        let response = try await Task.detached {
            try HTTPTestConnection(port: proxy.port).request(path: "/headers", headers: [
                "Connection": "keep-alive, X-Client-Private", "X-Client-Private": "secret", "Keep-Alive": "timeout=5",
                "TE": "trailers", "Proxy-Connection": "keep-alive", "Upgrade": "websocket",
                "X-Forwarded-For": "10.0.0.1", "X-End-To-End": "kept",
            ])
        }.value
        await proxy.router.shutdown()

        let seen = try XCTUnwrap(backend.requests.first?.headers)
        for name in ["x-client-private", "keep-alive", "te", "proxy-connection", "upgrade"] {
            XCTAssertNil(seen[name], "\(name) is hop-by-hop and must not reach the color: \(seen)")
        }
        XCTAssertNotEqual(seen["connection"]?.lowercased().contains("x-client-private"), true)
        XCTAssertEqual(seen["x-end-to-end"], "kept")
        XCTAssertEqual(seen["x-forwarded-for"], "10.0.0.1, 127.0.0.1")
        XCTAssertEqual(seen["x-forwarded-proto"], "http")
        XCTAssertEqual(seen["x-forwarded-host"], "127.0.0.1:\(proxy.port)")

        XCTAssertEqual(response.status, 200)
        XCTAssertNil(response.headers["x-backend-private"], "headers the color's Connection lists stay between router and color")
        XCTAssertNil(response.headers["keep-alive"])
        XCTAssertEqual(response.headers["x-kept"], "yes")
    }

    func testMultiMiBBodiesStreamBothWays() async throws {
        let download = [UInt8]((0..<(16 << 20)).map { UInt8(97 + $0 % 26) })  // ASCII: the test client reads text
        let backend = try LoopbackHTTPServer { request in
            if request.method == "POST" {
                let sum = request.body.reduce(UInt64(0)) { $0 &+ UInt64($1) }
                return .respond(status: 200, headers: [:], body: Array("\(request.body.count) \(sum)".utf8))
            }
            return .respond(status: 200, headers: ["Content-Type": "application/octet-stream"], body: download)
        }
        defer { backend.stop() }
        let proxy = try await RouterUnderTest.start(ports: [.blue: backend.port, .green: 1], weights: [.blue: 100])

        let upload = String(repeating: "0123456789abcdef", count: (8 << 20) / 16)
        let (uploaded, downloaded) = try await Task.detached {
            let client = try HTTPTestConnection(port: proxy.port, timeout: .seconds(60))
            let uploaded = try client.request(method: "POST", path: "/upload", body: upload)
            let downloaded = try client.request(path: "/download")
            return (uploaded, downloaded)
        }.value
        await proxy.router.shutdown()

        let expectedSum = upload.utf8.reduce(UInt64(0)) { $0 &+ UInt64($1) }
        XCTAssertEqual(uploaded.body, "\(8 << 20) \(expectedSum)", "the color received the whole 8 MiB upload intact")
        XCTAssertEqual(downloaded.status, 200)
        XCTAssertEqual(downloaded.body.utf8.count, download.count)
        XCTAssertTrue(downloaded.body.utf8.elementsEqual(download), "the 16 MiB download arrives intact")
    }

    func testResponseBodyIsStreamedBeforeTheColorFinishesIt() async throws {
        // The color sends one chunk, then keeps trickling more for ~50 s: a router that buffered
        // whole bodies would show the client nothing for that long.
        let backend = try LoopbackHTTPServer { _ in
            .chunked(status: 200, chunks: [Array("first-chunk".utf8), Array("more".utf8)], pause: 0.1, holdOpen: true)
        }
        defer { backend.stop() }
        let proxy = try await RouterUnderTest.start(ports: [.blue: backend.port, .green: 1], weights: [.blue: 100])

        let received = try await Task.detached {
            let client = try RawClient(port: proxy.port)
            try client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            return client.read { $0.contains("first-chunk") }
        }.value
        await proxy.router.shutdown()
        XCTAssertTrue(received.contains("first-chunk"), "the first chunk reaches the client while the body is still being produced")
        XCTAssertTrue(received.contains("transfer-encoding: chunked") || received.contains("Transfer-Encoding: chunked"))
    }

    func testRefusedColorIsRetriedOnTheOtherColor() async throws {
        let fixtures = try ColorFixtures.start()
        defer { fixtures.stop() }
        let refusing = try freeTCPPort()
        let proxy = try await RouterUnderTest.start(ports: [.blue: refusing, .green: fixtures.ports[.green]!], weights: [.blue: 50, .green: 50])

        let colors = try await Task.detached {
            let client = try HTTPTestConnection(port: proxy.port)
            return try (0..<40).map { _ -> String? in
                let response = try client.request(path: "/")
                XCTAssertEqual(response.status, 200)
                return servedColor(response)
            }
        }.value
        let blue = await proxy.router.stats(for: .blue, over: .seconds(60))
        let green = await proxy.router.stats(for: .green, over: .seconds(60))
        await proxy.router.shutdown()

        XCTAssertEqual(colors, Array(repeating: "green", count: 40), "every request blue refused was served by green")
        XCTAssertEqual(blue.connectFailures, 20, "each refused connection counts against blue")
        XCTAssertEqual(blue.errorRate, 1)
        XCTAssertEqual(green.requests, 40)
        XCTAssertEqual(green.errorRate, 0)
    }

    func testRefusedColorWithoutAFallbackAnswers502() async throws {
        let refusing = try freeTCPPort()
        let proxy = try await RouterUnderTest.start(ports: [.blue: refusing, .green: try freeTCPPort()], weights: [.blue: 100, .green: 0])

        let response = await Task.detached { SimpleHTTP.get(port: proxy.port, path: "/") }.value
        let blue = await proxy.router.stats(for: .blue, over: .seconds(60))
        let inFlight = await proxy.router.inFlight(.blue)
        await proxy.router.shutdown()

        XCTAssertEqual(response?.status, 502)
        XCTAssertTrue(response?.body.contains("\"error\":\"bad gateway\"") ?? false, response?.body ?? "no response")
        XCTAssertTrue(response?.body.contains("refused") ?? false, response?.body ?? "no response")
        XCTAssertEqual(blue.connectFailures, 1)
        XCTAssertEqual(blue.requests, 1)
        XCTAssertEqual(inFlight, 0)
    }

    func testNoTableAnswers503() async throws {
        let configuration = BuiltinRouter.Configuration(service: "router-test", listen: HostPort(host: "127.0.0.1", port: 0), threads: 1)
        let router = BuiltinRouter(configuration: configuration)
        try await router.start()
        let port = try XCTUnwrap(router.boundPort)
        let response = await Task.detached { SimpleHTTP.get(port: port, path: "/") }.value
        await router.shutdown()
        XCTAssertEqual(response?.status, 503)
        XCTAssertTrue(response?.body.contains("has traffic") ?? false)
    }

    func testStartFailsWithAReadableMessageWhenTheAddressIsTaken() async throws {
        let backend = try LoopbackHTTPServer { _ in .silent }
        defer { backend.stop() }
        let configuration = BuiltinRouter.Configuration(service: "web", listen: HostPort(host: "127.0.0.1", port: backend.port), threads: 1)
        let router = BuiltinRouter(configuration: configuration)
        do {
            try await router.start()
            XCTFail("binding a port in use must fail")
        } catch {
            XCTAssertTrue("\(error)".contains("cannot listen on 127.0.0.1:\(backend.port)"), "\(error)")
        }
        await router.shutdown()
    }
}
