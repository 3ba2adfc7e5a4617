import NIOCore
import NIOHTTP1

/// The last handler of a client connection to the builtin router: picks a color for each
/// request, borrows a keep-alive connection to it from the event loop's pool, and streams the
/// request there and the response back.
///
/// Requests on one connection are served one at a time (`HTTPServerPipelineHandler` before this
/// handler holds pipelined ones back). Both directions are back-pressured: the client socket is
/// not read while the upstream cannot take more bytes, and the upstream socket is not read while
/// the client cannot, so a multi-GiB body never sits in memory.
final class HTTPProxyHandler: ChannelDuplexHandler, UpstreamExchangeDelegate {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: RouterCore
    private var context: ChannelHandlerContext?
    private var pool: UpstreamPool?
    private var clientAddress: String?
    private var exchange: ProxyExchange?
    /// The router answered before the request ended: its remaining parts are read and dropped.
    private var discardingRequest = false
    /// A read was held back (upstream not connected or not writable) and is owed to the channel.
    private var readPending = false
    /// Inside a burst of reads from the client: writes to the color wait for the burst's end
    /// (`channelReadComplete`) to go out in one system call.
    private var inReadBurst = false

    init(core: RouterCore) {
        self.core = core
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        pool = core.pool(for: context.eventLoop)
        clientAddress = context.channel.remoteAddress?.ipAddress
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Client → upstream

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inReadBurst = true
        switch unwrapInboundIn(data) {
        case .head(let head):
            begin(head, context: context)
        case .body(let buffer):
            guard !discardingRequest else { return }
            forward(.body(.byteBuffer(buffer)))
        case .end(let trailers):
            guard !discardingRequest else {
                discardingRequest = false
                return
            }
            exchange?.requestEnded = true
            forward(.end(trailers))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        exchange?.upstream?.flush()
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if let exchange, !exchange.requestEnded, !(exchange.upstream?.isWritable ?? false) {
            readPending = true
        } else {
            context.read()
        }
    }

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let route = core.routing.pick() else {
            discardingRequest = true
            respond(.serviceUnavailable, "no color of \(core.configuration.service) has traffic", version: head.version, keepAlive: head.isKeepAlive)
            return
        }
        core.traffic(route.color).requestStarted()
        let forwarded = ForwardedRequestHead.make(from: head, clientAddress: clientAddress)
        let started = ProxyExchange(route: route, forwardedHead: forwarded, clientVersion: head.version, clientKeepAlive: head.isKeepAlive)
        exchange = started
        if ForwardedRequestHead.expectsContinue(head) {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }
        connect(started, fresh: false)
    }

    private func forward(_ part: HTTPClientRequestPart) {
        guard let exchange else { return }
        guard let upstream = exchange.upstream else {
            exchange.pending.append(part)
            return
        }
        upstream.write(part)
        switch part {
        case .body: exchange.bodySent = true
        case .end: if !inReadBurst { upstream.flush() }
        case .head: break
        }
    }

    private func connect(_ target: ProxyExchange, fresh: Bool) {
        guard let pool else { return }
        if !fresh, let idle = pool.takeIdle(port: target.route.port) {
            connected(target, .success((idle, true)))
            return
        }
        pool.connect(port: target.route.port).whenComplete { [self] result in
            connected(target, result.map { (connection: $0, reused: false) })
        }
    }

    private func connected(_ target: ProxyExchange, _ result: Result<(connection: UpstreamConnection, reused: Bool), Error>) {
        guard exchange === target, let context else {
            // The client left while we were connecting; the fresh connection is still good.
            if case .success(let upstream) = result { pool?.release(upstream.connection) }
            return
        }
        switch result {
        case .success(let upstream):
            let connection = upstream.connection
            target.upstream = connection
            target.reusedConnection = upstream.reused
            connection.delegate = self
            target.sentAt = now()
            connection.write(.head(target.forwardedHead))
            for part in target.pending {
                connection.write(part)
                if case .body = part { target.bodySent = true }
            }
            target.pending.removeAll()
            if !inReadBurst { connection.flush() }
            if readPending, connection.isWritable {
                readPending = false
                context.read()
            }
        case .failure(let error):
            let failed = target.route
            core.traffic(failed.color).recordConnectFailure()
            if let fallback = failed.fallback, !target.triedFallback {
                // Nothing was sent yet: the other color (which has traffic too) gets the request.
                target.triedFallback = true
                core.traffic(failed.color).requestEnded()
                core.traffic(fallback.color).requestStarted()
                target.route = RouteChoice(color: fallback.color, port: fallback.port, fallback: nil)
                connect(target, fresh: false)
            } else {
                fail(target, "\(failed.color.rawValue) (127.0.0.1:\(failed.port)) refused the connection: \(error)")
            }
        }
    }

    // MARK: Upstream → client

    var clientIsWritable: Bool { context?.channel.isWritable ?? false }

    func upstreamResponseHead(_ head: HTTPResponseHead) {
        guard let exchange, let context else { return }
        exchange.status = Int(head.status.code)
        exchange.responseHeadAt = now()
        var headers = head.headers
        HopByHopHeaders.strip(&headers)
        var keepAlive = exchange.clientKeepAlive
        let oldClient = exchange.clientVersion.major == 1 && exchange.clientVersion.minor == 0
        if oldClient, !headers.contains(name: "content-length") {
            // HTTP/1.0 has no chunked encoding: the body ends when the connection closes.
            keepAlive = false
        }
        if !keepAlive {
            headers.add(name: "connection", value: "close")
        } else if oldClient {
            headers.add(name: "connection", value: "keep-alive")
        }
        exchange.clientKeepAlive = keepAlive
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: exchange.clientVersion, status: head.status, headers: headers))), promise: nil)
    }

    func upstreamResponseBody(_ buffer: ByteBuffer) {
        context?.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    }

    func upstreamReadComplete() {
        context?.flush()
    }

    func upstreamResponseEnd() {
        guard let finished = exchange, let context, let pool else { return }
        // Everything about this exchange is settled before `.end` is written: writing it may
        // hand this handler the next pipelined request at once.
        exchange = nil
        let traffic = core.traffic(finished.route.color)
        traffic.recordResponse(status: finished.status ?? 502, latencyNanoseconds: finished.responseHeadAt &- finished.sentAt)
        traffic.requestEnded()
        if let upstream = finished.upstream {
            if finished.requestEnded {
                pool.release(upstream)
            } else {
                // The color answered before reading the whole request: that connection is spent.
                upstream.delegate = nil
                upstream.close()
            }
        }
        if !finished.requestEnded { discardingRequest = true }
        writeEnd(context: context, keepAlive: finished.clientKeepAlive)
    }

    func upstreamClosed() {
        guard let broken = exchange, let context else { return }
        broken.upstream = nil
        if broken.status == nil {
            if broken.canReplay {
                // A pooled connection the backend had just closed: send the head again on a new one.
                broken.replayedOnFreshConnection = true
                broken.pending = broken.requestEnded ? [.end(nil)] : []
                connect(broken, fresh: true)
                return
            }
            core.traffic(broken.route.color).recordConnectFailure()
            fail(broken, "\(broken.route.color.rawValue) (127.0.0.1:\(broken.route.port)) closed the connection before answering")
            return
        }
        // The response was cut short: the client must see a broken response, not a short success.
        exchange = nil
        let traffic = core.traffic(broken.route.color)
        traffic.recordConnectFailure()
        traffic.requestEnded()
        context.close(promise: nil)
    }

    func upstreamBecameWritable() {
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { exchange?.upstream?.resumeReadingIfPaused() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Endings

    func channelInactive(context: ChannelHandlerContext) {
        if let abandoned = exchange {
            // The client left mid-request: not the color's fault, so not counted against it.
            exchange = nil
            core.traffic(abandoned.route.color).requestEnded()
            if let upstream = abandoned.upstream {
                upstream.delegate = nil
                upstream.close()
            }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// Answers a request the colors could not: 502 after a refused or dropped connection.
    private func fail(_ failed: ProxyExchange, _ reason: String) {
        exchange = nil
        core.traffic(failed.route.color).requestEnded()
        if let upstream = failed.upstream {
            upstream.delegate = nil
            upstream.close()
        }
        if !failed.requestEnded { discardingRequest = true }
        respond(.badGateway, reason, version: failed.clientVersion, keepAlive: failed.clientKeepAlive)
    }

    private func respond(_ status: HTTPResponseStatus, _ reason: String, version: HTTPVersion, keepAlive: Bool) {
        guard let context else { return }
        let body = ByteBuffer(string: "{\"error\":\"\(status.reasonPhrase.lowercased())\",\"reason\":\"\(reason.jsonEscaped)\"}\n")
        var headers = HTTPHeaders([("content-type", "application/json"), ("content-length", "\(body.readableBytes)")])
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        writeEnd(context: context, keepAlive: keepAlive)
    }

    private func writeEnd(context: ChannelHandlerContext, keepAlive: Bool) {
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
        if readPending, exchange == nil {
            readPending = false
            context.read()
        }
    }

    private func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
}

extension String {
    /// Quotes and backslashes escaped, control characters dropped: enough for an error text.
    var jsonEscaped: String {
        var out = ""
        for character in unicodeScalars {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where character.value < 0x20: continue
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
