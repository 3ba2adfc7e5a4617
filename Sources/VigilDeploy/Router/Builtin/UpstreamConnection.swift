import NIOCore
import NIOHTTP1

/// What an upstream connection tells the client-side handler of the request it is serving.
/// All calls happen on the event loop the two channels share.
protocol UpstreamExchangeDelegate: AnyObject {
    func upstreamResponseHead(_ head: HTTPResponseHead)
    func upstreamResponseBody(_ buffer: ByteBuffer)
    func upstreamResponseEnd()
    /// The connection closed or failed before the response ended.
    func upstreamClosed()
    /// A read burst from the color ended: time to flush what was written to the client.
    func upstreamReadComplete()
    /// The upstream socket can take more request bytes again.
    func upstreamBecameWritable()
    /// Whether the client can take more response bytes; while not, the upstream is not read.
    var clientIsWritable: Bool { get }
}

/// The last handler of a keep-alive HTTP/1.1 connection to one color: hands response parts to
/// the request it currently serves, and back-pressures the color (stops reading its socket)
/// while the client is slower than the backend.
///
/// Between requests it sits idle in the `UpstreamPool`; whenever it closes it tells the pool,
/// which drops it from the idle list and from its count of open connections.
final class UpstreamConnection: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let port: UInt16
    weak var delegate: UpstreamExchangeDelegate?
    /// The pool that made it; told when the connection closes (no closure per release).
    private weak var pool: UpstreamPool?
    /// Waiting in the pool's idle list.
    var isIdle = false
    private(set) var channel: Channel?
    private var context: ChannelHandlerContext?
    private var readPending = false
    /// True once the backend said it will close this connection after the response.
    private(set) var closesAfterResponse = false

    init(port: UInt16, pool: UpstreamPool) {
        self.port = port
        self.pool = pool
    }

    var isActive: Bool { channel?.isActive ?? false }
    var isWritable: Bool { channel?.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        channel = context.channel
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func write(_ part: HTTPClientRequestPart) {
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    func close() {
        context?.close(promise: nil)
    }

    /// The client drained: read the backend again if a read was held back.
    func resumeReadingIfPaused() {
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            closesAfterResponse = !head.isKeepAlive
            delegate?.upstreamResponseHead(head)
        case .body(let buffer):
            delegate?.upstreamResponseBody(buffer)
        case .end:
            delegate?.upstreamResponseEnd()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if let delegate, !delegate.clientIsWritable {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { delegate?.upstreamBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        pool?.closed(self)
        if let delegate {
            self.delegate = nil
            delegate.upstreamClosed()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A reset or a malformed response: closing reports it through channelInactive.
        context.close(promise: nil)
    }
}
