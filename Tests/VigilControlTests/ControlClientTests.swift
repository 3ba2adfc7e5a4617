import Foundation
import Glibc
import XCTest
import VigilControl
import VigilSupervisor

/// ControlClient against real HTTP servers on a Unix socket and on 127.0.0.1.
final class ControlClientTests: XCTestCase {
    private var directory: String!
    private var servers: [LoopbackHTTPServer] = []

    private struct Echo: Codable, Equatable {
        var service: String
        var replicas: Int
        var at: Date
    }

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "vigil-ctl-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        servers.forEach { $0.stop() }
        try? FileManager.default.removeItem(atPath: directory)
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
        XCTAssertTrue(eventually {
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

// MARK: - A loopback HTTP/1.1 server for the tests

/// A blocking HTTP/1.1 server on a 127.0.0.1 port or a Unix socket, one thread per connection,
/// with keep-alive. Each request goes to `handler`; the server counts connections so tests can
/// see reuse and closing.
private final class LoopbackHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        /// Header names lower-cased.
        var headers: [String: String]
        var body: [UInt8]
    }

    enum Reply: Sendable {
        case respond(status: Int, headers: [String: String], body: [UInt8])
        /// Read the request and never answer.
        case silent
        /// A chunked body: `chunks` with `pause` seconds between them; with `holdOpen`, keep
        /// sending `chunks.last` (at most 500 more) until the client goes away.
        case chunked(status: Int, chunks: [[UInt8]], pause: TimeInterval, holdOpen: Bool)
    }

    private(set) var port: UInt16 = 0
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let lock = NSLock()
    private var connections: Set<Int32> = []
    private var acceptedCount = 0
    private var closedCount = 0
    private var seen: [Request] = []

    /// Listens on `unixSocket` when given, else on an ephemeral 127.0.0.1 port.
    init(unixSocket: String? = nil, handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        if let path = unixSocket {
            listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: Array(path.utf8.prefix(raw.count - 1)) + [0])
            }
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard rc == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        } else {
            listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let rc = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                    guard bind(listener, pointer, length) == 0 else { return -1 }
                    return getsockname(listener, pointer, &length)
                }
            }
            guard rc == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            port = UInt16(bigEndian: address.sin_port)
        }
        guard listen(listener, 512) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        Thread { [self] in acceptLoop() }.start()
    }

    var accepted: Int { lock.withLock { acceptedCount } }
    var closed: Int { lock.withLock { closedCount } }
    var requests: [Request] { lock.withLock { seen } }

    /// Stops accepting and drops every open connection.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        lock.withLock { connections.forEach { _ = shutdown($0, Int32(SHUT_RDWR)) } }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                break
            }
            lock.withLock {
                acceptedCount += 1
                connections.insert(fd)
            }
            Thread { [self] in serve(fd) }.start()
        }
        close(listener)
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        defer {
            lock.withLock {
                closedCount += 1
                connections.remove(fd)
            }
            close(fd)
        }
        while let request = readRequest(fd, &buffer) {
            lock.withLock { seen.append(request) }
            switch handler(request) {
            case .respond(let status, let headers, let body):
                var head = "HTTP/1.1 \(status) Test\r\nContent-Length: \(body.count)\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                guard write(fd, Array((head + "\r\n").utf8) + body) else { return }
            case .silent:
                var byte: UInt8 = 0
                _ = recv(fd, &byte, 1, 0)
                return
            case .chunked(let status, let chunks, let pause, let holdOpen):
                guard write(fd, Array("HTTP/1.1 \(status) Test\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n".utf8)) else { return }
                let extra = holdOpen ? Array(repeating: chunks.last ?? [], count: 500) : []
                for chunk in chunks + extra {
                    guard write(fd, Array((String(chunk.count, radix: 16) + "\r\n").utf8) + chunk + Array("\r\n".utf8)) else { return }
                    Thread.sleep(forTimeInterval: pause)
                }
                guard write(fd, Array("0\r\n\r\n".utf8)) else { return }
            }
        }
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Request? {
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffer.indices.dropLast(3).first { buffer[$0..<($0 + 4)].elementsEqual(separator) }
            if headEnd == nil, !receive(fd, &buffer) { return nil }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headEnd! + 4
        while buffer.count < bodyStart + length {
            if !receive(fd, &buffer) { return nil }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func receive(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }
}

/// Polls `condition` until it holds or `timeout` seconds pass.
private func eventually(timeout: TimeInterval = 20, _ condition: () -> Bool) -> Bool {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return condition()
}
