import NIOCore
import NIOHTTP1

/// The last handler of a client connection to the builtin router: picks a color for each
/// request, borrows a keep-alive connection to it from the event loop's pool, and streams the
/// request there and the response back.
///
/// Requests on one connection are served one at a time: parts of a pipelined request that
/// arrive while a response is still coming are kept in order and taken up when it ends (and the
/// client socket is not read while any are waiting). There is no `HTTPServerPipelineHandler`:
/// it stops reading the client socket while every response is pending, which costs two
/// `epoll_ctl` calls per keep-alive request. Both directions are back-pressured: the client socket is
/// not read while the upstream cannot take more bytes, and the upstream socket is not read while
/// the client cannot, so a multi-GiB body never sits in memory.
///
/// Responses leave as bytes (`ClientResponseEncoder`), not through NIO's `HTTPResponseEncoder`:
/// the pipeline is the request decoder and this handler.
final class HTTPProxyHandler: ChannelDuplexHandler, UpstreamExchangeDelegate {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

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
    /// Parts of pipelined requests that arrived while the current exchange awaited its response.
    private var deferred = CircularBuffer<HTTPServerRequestPart>()
    private var drainingDeferred = false
    /// Shutdown asked this connection to close after the response in progress.
    private var quiescing = false
    private var encoder = ClientResponseEncoder()

    init(core: RouterCore) {
        self.core = core
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let pool = core.pool(for: context.eventLoop)
        pool.clientOpened()
        self.pool = pool
        clientAddress = context.channel.remoteAddress?.ipAddress
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        pool?.clientClosed()
    }

    // MARK: Client → upstream

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inReadBurst = true
        let part = unwrapInboundIn(data)
        let awaitingResponse = exchange?.requestEnded ?? false
        // Once shutdown began, no new request is taken (the one in progress still reads its body).
        if quiescing, exchange == nil || awaitingResponse { return }
        if !deferred.isEmpty || awaitingResponse {
            // A pipelined request: it waits for the response in progress.
            deferred.append(part)
            return
        }
        handle(part, context: context)
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
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
        if !deferred.isEmpty || (quiescing && (exchange?.requestEnded ?? true)) {
            readPending = true
        } else if let exchange, !exchange.requestEnded, !(exchange.upstream?.isWritable ?? false) {
            readPending = true
        } else {
            context.read()
        }
    }

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let route = core.routing.pick() else {
            discardingRequest = true
            respond(.serviceUnavailable, "no color of \(core.configuration.service) has traffic", to: head.method, version: head.version, keepAlive: head.isKeepAlive)
            return
        }
        core.traffic(route.color).requestStarted()
        let forwarded = ForwardedRequestHead.make(from: head, clientAddress: clientAddress)
        let started = ProxyExchange(route: route, forwardedHead: forwarded.head, clientVersion: head.version, clientKeepAlive: head.isKeepAlive)
        exchange = started
        if forwarded.expectsContinue {
            let interim = encoder.head(HTTPResponseHead(version: head.version, status: .continue), requestMethod: head.method, allocator: context.channel.allocator)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(interim)), promise: nil)
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
            resumeReadingIfPending(context: context)
        case .failure(let error):
            let failed = target.route
            core.traffic(failed.color).recordConnectFailure()
            // Nothing was sent yet: any request can go to the fallback color.
            if moveToFallback(target) { return }
            fail(target, "\(failed.color.rawValue) (127.0.0.1:\(failed.port)) refused the connection: \(error)")
        }
    }

    /// Sends `target` to its route's fallback (the other color when it has weight, else the
    /// table's ready standby): whatever of it is still to be sent goes on a connection to that
    /// color. Once per request: the new route has no fallback. False when the route has none.
    private func moveToFallback(_ target: ProxyExchange) -> Bool {
        guard let fallback = target.route.fallback else { return false }
        core.traffic(target.route.color).requestEnded()
        core.traffic(fallback.color).requestStarted()
        target.route = RouteChoice(color: fallback.color, port: fallback.port, fallback: nil)
        connect(target, fresh: false)
        return true
    }

    // MARK: Upstream → client

    var clientIsWritable: Bool { context?.channel.isWritable ?? false }

    func upstreamResponseHead(_ head: HTTPResponseHead) {
        guard let exchange, let context else { return }
        exchange.status = Int(head.status.code)
        exchange.responseHeadAt = now()
        // The color's head is copied once into the client's buffer, its hop-by-hop headers
        // left out on the way, in the client's HTTP version.
        let endToEnd = HopByHopHeaders.Filter(head.headers)
        var keepAlive = exchange.clientKeepAlive && !quiescing
        let oldClient = exchange.clientVersion.major == 1 && exchange.clientVersion.minor == 0
        if oldClient, !endToEnd.hasContentLength {
            // HTTP/1.0 has no chunked encoding: the body ends when the connection closes.
            keepAlive = false
        }
        let connection: StaticString? = !keepAlive ? "close" : oldClient ? "keep-alive" : nil
        exchange.clientKeepAlive = keepAlive
        var response = head
        if response.version != exchange.clientVersion { response.version = exchange.clientVersion }
        let bytes = encoder.head(
            response, requestMethod: exchange.forwardedHead.method, keep: endToEnd.keeps, hasContentLength: endToEnd.hasContentLength,
            connection: connection, allocator: context.channel.allocator
        )
        context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: nil)
    }

    func upstreamResponseBody(_ buffer: ByteBuffer) {
        guard let context else { return }
        encoder.body(.byteBuffer(buffer), allocator: context.channel.allocator) { bytes, promise in
            context.write(wrapOutboundOut(bytes), promise: promise)
        }
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
            let failed = broken.route
            core.traffic(failed.color).recordConnectFailure()
            if broken.canRetryElsewhere {
                // Nothing of the response reached the client and the request has no body:
                // sent again, it cannot be told from the first try (nginx's next upstream).
                broken.pending = [.end(nil)]
                if moveToFallback(broken) { return }
            }
            fail(broken, "\(failed.color.rawValue) (127.0.0.1:\(failed.port)) closed the connection before answering")
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
        guard let context else { return }
        resumeReadingIfPending(context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { exchange?.upstream?.resumeReadingIfPaused() }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Endings

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // Router shutdown: an idle connection closes now, a busy one after its response
        // (which says `Connection: close` if its head is still to come); pipelined requests
        // behind it are dropped.
        quiescing = true
        deferred.removeAll()
        if exchange == nil { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deferred.removeAll()
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
        // A malformed request (what HTTPServerProtocolErrorHandler would answer, without its
        // two handler hops per part): 400 unless a response is under way, then close.
        if error is HTTPParserError, exchange?.status == nil {
            let headers = HTTPHeaders([("connection", "close"), ("content-length", "0")])
            let allocator = context.channel.allocator
            let head = encoder.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers), requestMethod: nil, allocator: allocator)
            context.write(wrapOutboundOut(.byteBuffer(head)), promise: nil)
            if let end = encoder.end(nil, allocator: allocator, promise: nil) { context.write(wrapOutboundOut(.byteBuffer(end)), promise: nil) }
            context.flush()
        }
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
        respond(.badGateway, reason, to: failed.forwardedHead.method, version: failed.clientVersion, keepAlive: failed.clientKeepAlive)
    }

    private func respond(_ status: HTTPResponseStatus, _ reason: String, to method: HTTPMethod, version: HTTPVersion, keepAlive: Bool) {
        guard let context else { return }
        let body = ByteBuffer(string: "{\"error\":\"\(status.reasonPhrase.lowercased())\",\"reason\":\"\(reason.jsonEscaped)\"}\n")
        var headers = HTTPHeaders([("content-type", "application/json"), ("content-length", "\(body.readableBytes)")])
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let head = encoder.head(HTTPResponseHead(version: version, status: status, headers: headers), requestMethod: method, allocator: context.channel.allocator)
        context.write(wrapOutboundOut(.byteBuffer(head)), promise: nil)
        encoder.body(.byteBuffer(body), allocator: context.channel.allocator) { bytes, promise in
            context.write(wrapOutboundOut(bytes), promise: promise)
        }
        writeEnd(context: context, keepAlive: keepAlive)
    }

    private func writeEnd(context: ChannelHandlerContext, keepAlive: Bool) {
        let keepAlive = keepAlive && !quiescing
        let allocator = context.channel.allocator
        if keepAlive {
            if let end = encoder.end(nil, allocator: allocator, promise: nil) {
                context.writeAndFlush(wrapOutboundOut(.byteBuffer(end)), promise: nil)
            } else {
                context.flush()
            }
        } else {
            let channel = context.channel
            let written = context.eventLoop.makePromise(of: Void.self)
            let end = encoder.end(nil, allocator: allocator, promise: written) ?? allocator.buffer(capacity: 0)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(end)), promise: written)
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            deferred.removeAll()
            quiescing = true  // nothing more is read or answered on this connection
            return
        }
        takeUpDeferred(context: context)
        resumeReadingIfPending(context: context)
    }

    /// Passes on a read that was held back, if `read(context:)` would now let it through.
    private func resumeReadingIfPending(context: ChannelHandlerContext) {
        guard readPending else { return }
        readPending = false
        read(context: context)
    }

    /// Hands pipelined request parts that waited to `handle` until one of them starts an
    /// exchange whose request ends (its response is then awaited again).
    private func takeUpDeferred(context: ChannelHandlerContext) {
        guard !drainingDeferred else { return }
        drainingDeferred = true
        defer { drainingDeferred = false }
        while !deferred.isEmpty, !(exchange?.requestEnded ?? false), !quiescing {
            handle(deferred.removeFirst(), context: context)
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
