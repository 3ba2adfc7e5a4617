import NIOCore
import NIOPosix

/// One side of a spliced TCP connection (TCP mode): bytes read here are written to the partner,
/// and this side is read only while the partner can take more, so a fast sender never fills
/// the router's memory. A half-close (EOF) is passed on as a half-close; a full close closes both.
final class TCPSpliceHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private(set) var context: ChannelHandlerContext?
    private weak var partner: TCPSpliceHandler?
    private var readPending = false
    /// True once this side's channel closed (the client may leave before the color answers).
    private(set) var closed = false
    /// Called once when this side's channel closes.
    var onClose: (() -> Void)?

    /// Links two sides; afterwards either may be read.
    static func splice(_ first: TCPSpliceHandler, _ second: TCPSpliceHandler) {
        first.partner = second
        second.partner = first
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.context?.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    func read(context: ChannelHandlerContext) {
        if let partner, partner.isWritable {
            context.read()
        } else {
            readPending = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.resumeReading() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            partner?.context?.close(mode: .output, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        partner?.context?.close(promise: nil)
        onClose?()
        onClose = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// Reads again once the partner is set (the first reads wait for the upstream connect).
    func resumeReading() {
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }
}
