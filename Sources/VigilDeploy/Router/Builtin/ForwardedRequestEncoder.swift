import NIOCore
import NIOHTTP1

/// NIO's `HTTPRequestEncoder` for the router's upstream connections, with the same framing
/// (`MessageFraming`) and bytes but the head written by `ByteBuffer.writeHeaderLines`, in one
/// reservation instead of four checked writes per header.
///
/// It sits where `HTTPRequestEncoder` would, at the socket end of the pipeline, so the
/// `HTTPResponseDecoder` above it still sees every request part (it must know which responses
/// answer a `HEAD`).
final class ForwardedRequestEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = IOData

    private var chunked = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            let framing = MessageFraming(
                body: .init(request: head.method), hasContentLength: head.headers.contains(name: "content-length"),
                firstTransferEncoding: head.headers.first(name: "transfer-encoding"), version: head.version
            )
            chunked = framing.chunked
            var buffer = context.channel.allocator.buffer(capacity: 256)
            buffer.writeRequestLine(head)
            buffer.writeHeaderLines(head.headers) { framing.keeps($0) }
            if framing.addsChunked { buffer.writeStaticString("transfer-encoding: chunked\r\n") }
            buffer.writeStaticString("\r\n")
            context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: promise)
        case .body(let part):
            MessageFraming.writeBody(part, chunked: chunked, allocator: context.channel.allocator, promise: promise) { bytes, promise in
                context.write(wrapOutboundOut(bytes), promise: promise)
            }
        case .end(let trailers):
            if let bytes = MessageFraming.endBytes(chunked: chunked, trailers: trailers, allocator: context.channel.allocator, promise: promise) {
                context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
            }
        }
    }
}
