import NIOCore
import NIOHTTP1

/// Feeds the bytes a router connection reads to one of NIO's HTTP decoders, doing for them what
/// `ByteToMessageHandler` does: parts go on to the next handler, errors go down the pipeline
/// once (later bytes are refused), and the end of input reaches the decoder (it ends a body
/// delimited by the connection's close).
///
/// `ByteToMessageHandler` is generic over any decoder and lives in another module, so every read
/// and every observed write ran its unspecialized code (type metadata lookups, dynamic casts):
/// about 10k of the router's 80k instructions per request. This one knows its two decoders.
/// Like it, it never calls the decoder re-entrantly: an end of input or a request head that
/// arrives while the decoder is delivering parts (the next handler closed the connection, or
/// sent the next request on it) is handed over when the decoder returns.
class HTTPDecodingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = Never

    enum Decoder {
        case request(HTTPRequestDecoder)
        case response(HTTPResponseDecoder)
    }

    private enum State {
        case active
        case failed(Error)
        /// The end of input was handed to the decoder.
        case done
    }

    private let decoder: Decoder
    private var state = State.active
    /// Inside the decoder: what arrives now waits for it to return.
    private(set) var decoding = false
    private var endOfInputPending = false
    /// Bytes the decoder did not take (it stops after an upgrade): kept, as NIO's handler keeps them.
    private var unconsumed: ByteBuffer?

    init(_ decoder: Decoder) {
        self.decoder = decoder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        switch decoder {
        case .request(let decoder): decoder.decoderAdded(context: context)
        case .response(let decoder): decoder.decoderAdded(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if case .active = state { state = .done }
        switch decoder {
        case .request(let decoder): decoder.decoderRemoved(context: context)
        case .response(let decoder): decoder.decoderRemoved(context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        switch state {
        case .failed(let error):
            context.fireErrorCaught(ByteToMessageDecoderError.dataReceivedInErrorState(error, buffer))
            return
        case .done:
            return
        case .active:
            break
        }
        if var earlier = unconsumed {
            unconsumed = nil
            earlier.writeBuffer(&buffer)
            buffer = earlier
        }
        decoding = true
        do {
            switch decoder {
            case .request(let decoder): _ = try decoder.decode(context: context, buffer: &buffer)
            case .response(let decoder): _ = try decoder.decode(context: context, buffer: &buffer)
            }
        } catch {
            decoding = false
            state = .failed(error)
            context.fireErrorCaught(error)
            return
        }
        decoding = false
        if buffer.readableBytes > 0 { unconsumed = buffer }
        decoderReturned(context: context)
    }

    /// Work that waited for the decoder to return; the subclass adds its own.
    func decoderReturned(context: ChannelHandlerContext) {
        if endOfInputPending {
            endOfInputPending = false
            endOfInput(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        endOfInput(context: context)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event as? ChannelEvent == .some(.inputClosed) { endOfInput(context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    private func endOfInput(context: ChannelHandlerContext) {
        guard case .active = state else { return }
        guard !decoding else {
            endOfInputPending = true
            return
        }
        state = .done
        var buffer = unconsumed ?? context.channel.allocator.buffer(capacity: 0)
        unconsumed = nil
        do {
            switch decoder {
            case .request(let decoder): _ = try decoder.decodeLast(context: context, buffer: &buffer, seenEOF: true)
            case .response(let decoder): _ = try decoder.decodeLast(context: context, buffer: &buffer, seenEOF: true)
            }
        } catch {
            state = .failed(error)
            context.fireErrorCaught(error)
        }
    }
}

/// The client side of an upstream connection: decodes the color's responses and shows the
/// decoder each request head written (it must know which responses answer a `HEAD`).
final class HTTPResponseDecodingHandler: HTTPDecodingHandler, ChannelOutboundHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private let responseDecoder: HTTPResponseDecoder
    /// Heads written while the decoder was delivering parts, shown to it when it returns.
    private var heldHeads: [HTTPRequestHead] = []

    init() {
        let decoder = HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)
        responseDecoder = decoder
        super.init(.response(decoder))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head(let head) = unwrapOutboundIn(data) {
            if decoding { heldHeads.append(head) } else { responseDecoder.write(data: .head(head)) }
        }
        context.write(data, promise: promise)
    }

    override func decoderReturned(context: ChannelHandlerContext) {
        if !heldHeads.isEmpty {
            for head in heldHeads { responseDecoder.write(data: .head(head)) }
            heldHeads.removeAll()
        }
        super.decoderReturned(context: context)
    }
}
