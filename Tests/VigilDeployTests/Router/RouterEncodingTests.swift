import NIOCore
import NIOEmbedded
import NIOHTTP1
import VigilTestKit
import XCTest

@testable import VigilDeploy

/// The router writes message heads itself (`ForwardedRequestEncoder`, `ClientResponseEncoder`)
/// instead of through NIO's encoders: the bytes, framing included, must stay NIO's.
final class RouterEncodingTests: XCTestCase {
    private func requestBytes(_ handler: ChannelHandler, _ parts: [HTTPClientRequestPart]) throws -> String {
        let channel = EmbeddedChannel(handler: handler)
        for part in parts { try channel.writeOutbound(part) }
        return try drained(channel)
    }

    private func drained(_ channel: EmbeddedChannel) throws -> String {
        var bytes = ByteBuffer()
        while let data = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(var buffer) = data else { XCTFail("file region"); break }
            bytes.writeBuffer(&buffer)
        }
        _ = try channel.finish()
        return String(buffer: bytes)
    }

    func testForwardedRequestEncoderWritesTheBytesOfHTTPRequestEncoder() throws {
        let heads: [HTTPRequestHead] = [
            HTTPRequestHead(version: .http1_1, method: .GET, uri: "/a?b=c", headers: ["Host": "x", "X-Forwarded-For": "127.0.0.1"]),
            HTTPRequestHead(version: .http1_1, method: .POST, uri: "/p", headers: ["content-length": "5", "transfer-encoding": "chunked"]),
            HTTPRequestHead(version: .http1_1, method: .POST, uri: "/p", headers: ["Host": "x"]),
            HTTPRequestHead(version: .http1_1, method: .PUT, uri: "/p", headers: ["transfer-encoding": "chunked"]),
            HTTPRequestHead(version: .http1_1, method: .GET, uri: "/g", headers: ["transfer-encoding": "chunked"]),
            HTTPRequestHead(version: .http1_1, method: .DELETE, uri: "/d", headers: ["Content-Length": "5"]),
            HTTPRequestHead(version: .http1_1, method: .TRACE, uri: "/t", headers: ["content-length": "5", "transfer-encoding": "chunked"]),
            HTTPRequestHead(version: .http1_0, method: .POST, uri: "/old", headers: ["Host": "x"]),
            HTTPRequestHead(version: .http1_1, method: .RAW(value: "PURGE"), uri: "/cache", headers: [:]),
        ]
        let trailers: [HTTPHeaders?] = [nil, ["X-Checksum": "abc"]]
        for head in heads {
            for trailer in trailers {
                let parts: [HTTPClientRequestPart] = [
                    .head(head), .body(.byteBuffer(ByteBuffer(string: "hello"))), .body(.byteBuffer(ByteBuffer())), .end(trailer),
                ]
                XCTAssertEqual(
                    try requestBytes(ForwardedRequestEncoder(), parts), try requestBytes(HTTPRequestEncoder(), parts),
                    "\(head.method) \(head.version) \(head.headers), trailers \(String(describing: trailer))"
                )
            }
        }
    }

    func testClientResponseEncoderWritesTheBytesOfHTTPResponseEncoder() throws {
        let heads: [HTTPResponseHead] = [
            HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Length": "5", "transfer-encoding": "chunked"]),
            HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Server": "x"]),
            HTTPResponseHead(version: .http1_0, status: .ok, headers: ["Server": "x"]),
            HTTPResponseHead(version: .http1_0, status: .notFound, headers: ["content-length": "5"]),
            HTTPResponseHead(version: .http1_1, status: .noContent, headers: ["content-length": "0"]),
            HTTPResponseHead(version: .http1_1, status: .notModified, headers: ["ETag": "\"1\"", "Content-Length": "5"]),
            HTTPResponseHead(version: .http1_1, status: .custom(code: 599, reasonPhrase: "Network Timeout"), headers: [:]),
            HTTPResponseHead(version: .http1_1, status: .badGateway, headers: ["content-type": "application/json"]),
        ]
        for head in heads {
            for trailer in [nil, ["X-Checksum": "abc"]] as [HTTPHeaders?] {
                let mayHaveBody = head.status.mayHaveResponseBody
                let nio = EmbeddedChannel(handler: HTTPResponseEncoder())
                try nio.writeOutbound(HTTPServerResponsePart.head(head))
                if mayHaveBody { try nio.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "hello")))) }
                try nio.writeOutbound(HTTPServerResponsePart.end(trailer))

                var encoder = ClientResponseEncoder()
                var ours = encoder.head(head, requestMethod: .GET, allocator: ByteBufferAllocator())
                if mayHaveBody {
                    encoder.body(.byteBuffer(ByteBuffer(string: "hello")), allocator: ByteBufferAllocator()) { part, _ in
                        guard case .byteBuffer(var buffer) = part else { return }
                        ours.writeBuffer(&buffer)
                    }
                }
                if var end = encoder.end(trailer, allocator: ByteBufferAllocator(), promise: nil) { ours.writeBuffer(&end) }
                XCTAssertEqual(String(buffer: ours), try drained(nio), "\(head.status) \(head.version) \(head.headers)")
            }
        }
    }

    func testResponsesToHEADAndCONNECTCarryNoBody() {
        for method in [HTTPMethod.HEAD, .CONNECT] {
            var encoder = ClientResponseEncoder()
            let head = encoder.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-length": "5"]), requestMethod: method, allocator: ByteBufferAllocator())
            var written = 0
            encoder.body(.byteBuffer(ByteBuffer(string: "hello")), allocator: ByteBufferAllocator()) { _, _ in written += 1 }
            XCTAssertEqual(written, 0, "no body bytes after a \(method) response head")
            XCTAssertNil(encoder.end(nil, allocator: ByteBufferAllocator(), promise: nil))
            XCTAssertEqual(String(buffer: head).contains("content-length"), method == .HEAD, "CONNECT responses lose their framing headers, HEAD ones keep them")
        }
    }

    func testColorHeadLosesHopByHopHeadersWhileItIsCopied() {
        let headers: HTTPHeaders = [
            "Connection": "keep-alive, X-Private", "X-Private": "1", "Keep-Alive": "timeout=5", "Transfer-Encoding": "chunked",
            "Upgrade": "h2c", "X-Kept": "yes", "Content-Length": "2",
        ]
        let filter = HopByHopHeaders.Filter(headers)
        var encoder = ClientResponseEncoder()
        let bytes = String(buffer: encoder.head(
            HTTPResponseHead(version: .http1_1, status: .ok, headers: headers), requestMethod: .GET,
            keep: filter.keeps, hasContentLength: filter.hasContentLength, allocator: ByteBufferAllocator()
        ))
        XCTAssertEqual(bytes, "HTTP/1.1 200 OK\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\n")

        // A Content-Length the color's Connection lists is hop-by-hop too: the body is chunked.
        let listed = HopByHopHeaders.Filter(["Connection": "content-length", "Content-Length": "2"])
        XCTAssertFalse(listed.hasContentLength)
        var chunking = ClientResponseEncoder()
        let chunked = String(buffer: chunking.head(
            HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Connection": "content-length", "Content-Length": "2"]), requestMethod: .GET,
            keep: listed.keeps, hasContentLength: listed.hasContentLength, allocator: ByteBufferAllocator()
        ))
        XCTAssertEqual(chunked, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
    }

    func testHEADThroughTheRouterLeavesTheConnectionReadyForTheNextRequest() async throws {
        // The test server writes a body whatever the method, so its HEAD answer is an empty one.
        let backend = try LoopbackHTTPServer { request in
            .respond(status: 200, headers: [:], body: request.method == "HEAD" ? [] : Array("hello".utf8))
        }
        defer { backend.stop() }
        let proxy = try await RouterUnderTest.start(ports: [.blue: backend.port, .green: 1], weights: [.blue: 100])

        let received = try await Task.detached {
            let client = try RawClient(port: proxy.port)
            try client.send("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
            return String(decoding: client.read { $0.contains("hello") }, as: UTF8.self)
        }.value
        await proxy.router.shutdown()

        let responses = received.components(separatedBy: "HTTP/1.1 200 OK\r\n").filter { !$0.isEmpty }
        XCTAssertEqual(responses.count, 2, received)
        XCTAssertTrue(responses.first?.hasSuffix("\r\n\r\n") ?? false, "the HEAD response is a head only: \(received)")
        XCTAssertTrue(received.hasSuffix("\r\n\r\nhello"), "the GET behind it is answered whole: \(received)")
    }
}
