import NIOCore
import NIOHTTP1

/// How a message body is framed on the wire, decided from its head exactly as NIO's HTTP
/// encoders decide it (with `automaticallySetFramingHeaders`), so the router's own encoders
/// (`ForwardedRequestEncoder`, `ClientResponseEncoder`) send the bytes NIO's would.
///
/// A body that must not exist drops `Content-Length` and `Transfer-Encoding`; a `Content-Length`
/// wins over `Transfer-Encoding`; otherwise an HTTP/1.1 message that may have a body is chunked
/// (a request only if it said so, unless its method always has a body) and an HTTP/1.0 one is
/// delimited by the connection's close.
struct MessageFraming: Equatable {
    /// Whether a message of this kind carries a body.
    enum Body {
        case yes, no, unlikely

        /// NIO's `HTTPMethod.hasRequestBody`.
        init(request method: HTTPMethod) {
            switch method {
            case .TRACE: self = .no
            case .POST, .PUT, .PATCH: self = .yes
            default: self = .unlikely
            }
        }
    }

    /// Body parts go out as chunks (and `.end` as the last chunk).
    var chunked = false
    /// Header lines left out of the head.
    var dropsContentLength = false
    var dropsTransferEncoding = false
    /// `transfer-encoding: chunked` is added after the other headers.
    var addsChunked = false

    /// `firstTransferEncoding`: the value of the message's first `Transfer-Encoding` header.
    init(body: Body, hasContentLength: Bool, firstTransferEncoding: @autoclosure () -> String?, version: HTTPVersion) {
        let atLeast11 = version.major == 1 && version.minor >= 1
        switch body {
        case .no:
            dropsContentLength = true
            dropsTransferEncoding = true
        case .yes where hasContentLength, .unlikely where hasContentLength:
            dropsTransferEncoding = true
        case .yes:
            if atLeast11 {
                chunked = true
                dropsTransferEncoding = true
                addsChunked = true
            }
        case .unlikely:
            chunked = atLeast11 && firstTransferEncoding() == "chunked"
        }
    }

    /// Whether the header `name` goes out.
    @inline(__always)
    func keeps(_ name: String) -> Bool {
        guard dropsContentLength || dropsTransferEncoding else { return true }
        switch name.utf8.count {
        case 14: return !(dropsContentLength && asciiEqualsIgnoringCase(name, "content-length"))
        case 17: return !(dropsTransferEncoding && asciiEqualsIgnoringCase(name, "transfer-encoding"))
        default: return true
        }
    }
}

extension MessageFraming {
    /// Hands `write` a body part as it goes out: as is, or as a chunk (size line, data, CRLF)
    /// when `chunked` and not empty. `promise` completes with the last of the writes.
    static func writeBody(
        _ part: IOData, chunked: Bool, allocator: ByteBufferAllocator, promise: EventLoopPromise<Void>?,
        _ write: (IOData, EventLoopPromise<Void>?) -> Void
    ) {
        let size = part.readableBytes
        guard chunked, size > 0 else {
            write(part, promise)
            return
        }
        var framing = allocator.buffer(capacity: 32)
        framing.writeString(String(size, radix: 16))
        framing.writeStaticString("\r\n")
        write(.byteBuffer(framing), nil)
        write(part, nil)
        framing.moveReaderIndex(forwardBy: framing.readableBytes - 2)
        write(.byteBuffer(framing), promise)
    }

    /// What `.end` writes: the last chunk and trailers when `chunked`, else nothing (or an empty
    /// buffer that carries `promise`).
    static func endBytes(chunked: Bool, trailers: HTTPHeaders?, allocator: ByteBufferAllocator, promise: EventLoopPromise<Void>?) -> ByteBuffer? {
        guard chunked else { return promise == nil ? nil : allocator.buffer(capacity: 0) }
        guard let trailers else { return ByteBuffer(staticString: "0\r\n\r\n") }
        var buffer = allocator.buffer(capacity: 256)
        buffer.writeStaticString("0\r\n")
        buffer.writeHeaderLines(trailers) { _ in true }
        buffer.writeStaticString("\r\n")
        return buffer
    }
}
