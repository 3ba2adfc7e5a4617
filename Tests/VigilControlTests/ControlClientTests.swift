import Foundation
import Glibc
import VigilTestKit
import XCTest
import VigilControl
import VigilSupervisor

/// ControlClient against real HTTP servers on a Unix socket and on 127.0.0.1.
final class ControlClientTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: String { temporary.path }
    private var servers: [LoopbackHTTPServer] = []

    private struct Echo: Codable, Equatable {
        var service: String
        var replicas: Int
        var at: Date
    }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory()
    }

    override func tearDown() {
        servers.forEach { $0.stop() }
        temporary.remove()
    }

    /// A server playing the control API: echo, a 404 JSON error, a text 500, a silent route and streams.
    private func startServer(unixSocket: String? = nil) throws -> LoopbackHTTPServer {
        let server = try LoopbackHTTPServer(unixSocket: unixSocket) { request in
            let json = ["Content-Type": "application/json"]
            switch request.path {
            case "/v1/echo":
                return .respond(status: 200, headers: json, body: request.body)
            case "/v1/status":
                return .respond(status: 200, headers: json, body: Array(#"{"ok":true}"#.utf8))
            case "/v1/services/ghost":
                return .respond(status: 404, headers: json, body: Array(#"{"error":"unknown service","detail":"no service named 'ghost'; see `vigil status`"}"#.utf8))
            case "/v1/broken":
                return .respond(status: 500, headers: [:], body: Array("boom\n".utf8))
            case "/v1/forbidden":
                return .respond(status: 403, headers: json, body: Array(#"{"error":"forbidden","detail":"viewer cannot stream"}"#.utf8))
            case "/v1/slow":
                return .silent
            case "/v1/events/stream":
                return .chunked(status: 200, chunks: [Array("{\"n\":1}\n".utf8), Array("{\"n\":2}\n".utf8), Array("{\"n\":3}\n".utf8)], pause: 0.1, holdOpen: false)
            case "/v1/events/follow":
                return .chunked(status: 200, chunks: [Array("tick\n".utf8)], pause: 0.01, holdOpen: true)
            default:
                return .respond(status: 404, headers: json, body: Array(#"{"error":"no route"}"#.utf8))
            }
        }
        servers.append(server)
        return server
    }

    func testJSONRoundTripOverUnixSocket() throws {
        let socket = directory + "/control.sock"
        let server = try startServer(unixSocket: socket)
        let client = ControlClient(endpoint: .parse(socket), token: nil)
        let sent = Echo(service: "api", replicas: 3, at: Date(timeIntervalSince1970: 1_795_280_580.25))
        let body = try Array(VigilJSON.encoder().encode(sent))

        let response = try client.send("POST", "/v1/echo", body: body)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try response.decode(Echo.self), sent)
        let request = try XCTUnwrap(server.requests.last)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.headers["content-type"], "application/json")
        XCTAssertNil(request.headers["authorization"], "no token, no header")
    }

    func testBearerTokenIsSentOverTCP() throws {
        let server = try startServer()
        let client = ControlClient(endpoint: .parse("http://127.0.0.1:\(server.port)/"), token: "s3cret")
        let response = try client.send("GET", "/v1/status")
        XCTAssertEqual(response.text, #"{"ok":true}"#)
        XCTAssertEqual(server.requests.last?.headers["authorization"], "Bearer s3cret")
        XCTAssertEqual(server.requests.last?.path, "/v1/status")
    }

    func testLocalURLBypassesTheProxyEnvironment() throws {
        let server = try startServer()
        setenv("http_proxy", "http://127.0.0.1:9", 1)
        defer { unsetenv("http_proxy") }
        let client = ControlClient(endpoint: .url("http://127.0.0.1:\(server.port)"), token: nil)
        XCTAssertEqual(try client.send("GET", "/v1/status").status, 200)
    }

    func testPostWithoutBodySendsEmptyContent() throws {
        let server = try startServer()
        let client = ControlClient(endpoint: .url("http://127.0.0.1:\(server.port)"), token: nil)
        XCTAssertEqual(try client.send("POST", "/v1/echo").status, 200)
        XCTAssertEqual(server.requests.last?.method, "POST")
        XCTAssertEqual(server.requests.last?.headers["content-length"], "0")
    }

    func testAPIErrorSurfacesErrorAndDetail() throws {
        let server = try startServer()
        let client = ControlClient(endpoint: .url("http://127.0.0.1:\(server.port)"), token: nil)
        XCTAssertThrowsError(try client.send("GET", "/v1/services/ghost")) { error in
            guard let error = error as? ControlClientError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .api)
            XCTAssertEqual(error.status, 404)
            XCTAssertEqual(error.message, "unknown service")
            XCTAssertEqual(error.detail, "no service named 'ghost'; see `vigil status`")
            XCTAssertEqual(error.description, "unknown service (HTTP 404): no service named 'ghost'; see `vigil status`")
        }
        XCTAssertThrowsError(try client.send("GET", "/v1/broken")) { error in
            XCTAssertEqual("\(error)", "boom (HTTP 500)")
        }
    }

    func testMissingSocketSaysHowToFixIt() {
        let socket = directory + "/absent.sock"
        let client = ControlClient(endpoint: .parse(socket), token: nil)
        XCTAssertThrowsError(try client.send("GET", "/v1/status")) { error in
            guard let error = error as? ControlClientError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .unreachable)
            XCTAssertEqual(error.description, "cannot reach Vigil at \(socket): No such file or directory — is `vigil up` running? (or pass --control)")
        }
    }

    func testRefusedTCPIsUnreachable() throws {
        let server = try startServer()
        let port = server.port
        server.stop()
        XCTAssertTrue(poll {
            let client = ControlClient(endpoint: .url("http://127.0.0.1:\(port)"), token: nil)
            do {
                _ = try client.send("GET", "/v1/status", timeout: .seconds(5))
                return false
            } catch let error as ControlClientError {
                return error.kind == .unreachable && error.description.contains("Connection refused")
            } catch {
                return false
            }
        })
    }

    func testSilentServerTimesOut() throws {
        let server = try startServer()
        let client = ControlClient(endpoint: .url("http://127.0.0.1:\(server.port)"), token: nil)
        XCTAssertThrowsError(try client.send("GET", "/v1/slow", timeout: .milliseconds(300))) { error in
            XCTAssertEqual((error as? ControlClientError)?.kind, .timedOut)
        }
    }

    func testUndecodableAnswerIsABadResponse() throws {
        let server = try startServer()
        let client = ControlClient(endpoint: .url("http://127.0.0.1:\(server.port)"), token: nil)
        let response = try client.send("GET", "/v1/status")
        XCTAssertThrowsError(try response.decode(Echo.self)) { error in
            XCTAssertEqual((error as? ControlClientError)?.kind, .badResponse)
        }
    }

    func testStreamDeliversChunksAsTheyArrive() throws {
        let socket = directory + "/control.sock"
        _ = try startServer(unixSocket: socket)
        let client = ControlClient(endpoint: .unixSocket(socket), token: nil)
        var chunks: [[UInt8]] = []
        let status = try client.stream("GET", "/v1/events/stream") { chunk in
            chunks.append(chunk)
            return true
        }
        XCTAssertEqual(status, 200)
        XCTAssertEqual(String(decoding: chunks.joined(), as: UTF8.self), "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n")
        XCTAssertGreaterThanOrEqual(chunks.count, 2, "chunks sent 100 ms apart arrive separately")
    }

    func testStreamStopsWhenTheReceiverSaysSo() throws {
        let server = try startServer()
        let client = ControlClient(endpoint: .url("http://127.0.0.1:\(server.port)"), token: nil)
        var calls = 0
        let status = try client.stream("GET", "/v1/events/follow") { _ in
            calls += 1
            return calls < 2
        }
        XCTAssertEqual(status, 200)
        XCTAssertEqual(calls, 2)
    }

    func testStreamErrorStatusThrowsTheAPIError() throws {
        let server = try startServer()
        let client = ControlClient(endpoint: .url("http://127.0.0.1:\(server.port)"), token: "viewer")
        var calls = 0
        XCTAssertThrowsError(try client.stream("GET", "/v1/forbidden") { _ in
            calls += 1
            return true
        }) { error in
            XCTAssertEqual("\(error)", "forbidden (HTTP 403): viewer cannot stream")
        }
        XCTAssertEqual(calls, 0, "error bodies are not handed to the receiver")
    }

    func testEndpointParsing() {
        XCTAssertEqual(ControlEndpoint.parse("http://127.0.0.1:9470"), .url("http://127.0.0.1:9470"))
        XCTAssertEqual(ControlEndpoint.parse("HTTPS://vigil.example"), .url("HTTPS://vigil.example"))
        XCTAssertEqual(ControlEndpoint.parse(".vigil/control.sock"), .unixSocket(".vigil/control.sock"))
        XCTAssertEqual(ControlEndpoint.parse("/run/vigil/control.sock").description, "/run/vigil/control.sock")
    }
}
