import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import VigilTestKit
import XCTest

@testable import VigilDeploy

/// The router drives NIO's HTTP decoders itself (`HTTPDecodingHandler`) instead of through
/// `ByteToMessageHandler`: errors, the end of input and request heads written while a response
/// is being delivered must reach them as before.
final class HTTPDecodingHandlerTests: XCTestCase {
    /// Collects response parts and, like a pipelined proxy, sends the next request from inside
    /// the `.end` of the previous response.
    private final class NextRequestOnEnd: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundOut = HTTPClientRequestPart
        var parts: [HTTPClientResponsePart] = []
        var next: HTTPRequestHead?

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let part = unwrapInboundIn(data)
            parts.append(part)
            if case .end = part, let head = next {
                next = nil
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    func testAHeadRequestWrittenWhileAResponseEndsStillMakesItsAnswerBodiless() throws {
        let collector = NextRequestOnEnd()
        collector.next = HTTPRequestHead(version: .http1_1, method: .HEAD, uri: "/second")
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([HTTPResponseDecodingHandler(), collector])
        try channel.writeOutbound(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/first")))
        try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
        // The answer to the HEAD announces 5 bytes that never come: it must end at its head.
        try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"))
        let ends = collector.parts.filter { if case .end = $0 { true } else { false } }
        XCTAssertEqual(ends.count, 2, "both responses ended: \(collector.parts)")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    func testMalformedRequestIsAnswered400AndTheConnectionClosed() async throws {
        let backend = try LoopbackHTTPServer { _ in .respond(status: 200, headers: [:], body: Array("ok".utf8)) }
        defer { backend.stop() }
        let proxy = try await RouterUnderTest.start(ports: [.blue: backend.port, .green: 1], weights: [.blue: 100])

        let received = try await Task.detached {
            let client = try RawClient(port: proxy.port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
            return String(decoding: client.readToEnd(), as: UTF8.self)
        }.value
        await proxy.router.shutdown()

        XCTAssertTrue(received.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), received)
        XCTAssertEqual(received.components(separatedBy: "HTTP/1.1 ").count - 1, 1, "nothing after the 400: \(received)")
        XCTAssertTrue(backend.requests.isEmpty, "the malformed request never reached the color")
    }

    func testBodyDelimitedByTheColorClosingReachesTheClientWhole() async throws {
        // A color that frames its body by closing the connection (no Content-Length, not chunked).
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        let port = try bindLoopbackEphemeralPort(listener)
        XCTAssertEqual(listen(listener, 8), 0)
        let body = String(repeating: "close-delimited ", count: 4096)
        let server = Thread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var request = [UInt8](repeating: 0, count: 4096)
            var seen: [UInt8] = []
            while !seen.contains("\r\n\r\n") {
                let count = recv(connection, &request, request.count, 0)
                if count <= 0 { break }
                seen.append(contentsOf: request[..<count])
            }
            let response = Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n\(body)".utf8)
            _ = response.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(connection)
        }
        server.start()
        let proxy = try await RouterUnderTest.start(ports: [.blue: port, .green: 1], weights: [.blue: 100])

        let received = try await Task.detached {
            let client = try RawClient(port: proxy.port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            return String(decoding: client.read { $0.contains("0\r\n\r\n") }, as: UTF8.self)
        }.value
        await proxy.router.shutdown()

        XCTAssertTrue(received.hasPrefix("HTTP/1.1 200 OK\r\n"), received)
        XCTAssertTrue(received.contains("transfer-encoding: chunked"), "re-framed for the keep-alive client")
        let payload = received.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        let chunks = payload.components(separatedBy: "\r\n").enumerated().filter { $0.offset % 2 == 1 }.map(\.element).joined()
        XCTAssertEqual(chunks, body, "every byte before the color's close arrived, then the last chunk")
    }
}
