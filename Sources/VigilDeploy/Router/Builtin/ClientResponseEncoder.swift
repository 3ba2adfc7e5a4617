import NIOCore
import NIOHTTP1

/// Encodes what a client connection of the builtin router is sent: the colors' responses and
/// the router's own (400, 502, 503, 100 Continue), framed as NIO's `HTTPResponseEncoder` frames
/// them (`MessageFraming`; no body for `HEAD` and `CONNECT` or for 1xx, 204 and 304).
///
/// `HTTPProxyHandler` writes these bytes itself instead of sending typed parts through
/// `HTTPResponseEncoder`: a color's head is copied once into the outgoing buffer, leaving out
/// its hop-by-hop headers as it goes, instead of being rebuilt as a new `HTTPHeaders` and then
/// written with four checked writes per header. The request's method is given with each head
/// (the proxy knows it), where NIO's encoder keeps a queue fed by the request decoder.
struct ClientResponseEncoder {
    private var chunked = false
    private var suppressesBody = false

    /// The head's bytes. `keep` picks which of `head.headers` go out and `hasContentLength` says
    /// whether a `Content-Length` is among them; `connection` is added after them.
    mutating func head(
        _ head: HTTPResponseHead, requestMethod: HTTPMethod?, keep: (String) -> Bool, hasContentLength: Bool,
        connection: StaticString? = nil, allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        let code = head.status.code
        let respondingToConnect = requestMethod == .CONNECT
        if !((100..<200).contains(code) && code != 101) {
            suppressesBody = requestMethod == .HEAD || respondingToConnect
        }
        let mayHaveBody = !respondingToConnect && head.status.mayHaveResponseBody
        let framing = MessageFraming(
            body: mayHaveBody ? .yes : .no, hasContentLength: hasContentLength, firstTransferEncoding: nil, version: head.version
        )
        chunked = suppressesBody ? false : framing.chunked
        var buffer = allocator.buffer(capacity: 256)
        buffer.writeStatusLine(version: head.version, status: head.status)
        buffer.writeHeaderLines(head.headers) { keep($0) && framing.keeps($0) }
        if let connection {
            buffer.writeStaticString("connection: ")
            buffer.writeStaticString(connection)
            buffer.writeStaticString("\r\n")
        }
        if framing.addsChunked { buffer.writeStaticString("transfer-encoding: chunked\r\n") }
        buffer.writeStaticString("\r\n")
        return buffer
    }

    /// A head whose headers all go out (the router's own responses).
    mutating func head(_ head: HTTPResponseHead, requestMethod: HTTPMethod?, allocator: ByteBufferAllocator) -> ByteBuffer {
        self.head(head, requestMethod: requestMethod, keep: { _ in true }, hasContentLength: head.headers.contains(name: "content-length"), allocator: allocator)
    }

    /// Hands `write` a body part as it goes out (nothing for a response without a body).
    func body(_ part: IOData, allocator: ByteBufferAllocator, _ write: (IOData, EventLoopPromise<Void>?) -> Void) {
        guard !suppressesBody else { return }
        MessageFraming.writeBody(part, chunked: chunked, allocator: allocator, promise: nil, write)
    }

    /// What ends the response (nil: nothing to write), with `promise` if one must complete.
    mutating func end(_ trailers: HTTPHeaders?, allocator: ByteBufferAllocator, promise: EventLoopPromise<Void>?) -> ByteBuffer? {
        suppressesBody = false
        return MessageFraming.endBytes(chunked: chunked, trailers: trailers, allocator: allocator, promise: promise)
    }
}
