import NIOCore
import NIOHTTP1

/// One request on its way through the builtin router: which color serves it, and how far it got.
/// Lives on the client connection's event loop.
final class ProxyExchange {
    var route: RouteChoice
    let forwardedHead: HTTPRequestHead
    let clientVersion: HTTPVersion
    /// Whether the client connection stays open after this response.
    var clientKeepAlive: Bool
    var upstream: UpstreamConnection?
    /// The upstream connection came from the pool (it may have been closed by the backend meanwhile).
    var reusedConnection = false
    /// Request parts that arrived before the upstream connection was ready.
    var pending: [HTTPClientRequestPart] = []
    var requestEnded = false
    var bodySent = false
    var replayedOnFreshConnection = false
    /// Monotonic nanoseconds: request head written upstream, response head received.
    var sentAt: UInt64 = 0
    var responseHeadAt: UInt64 = 0
    var status: Int?

    init(route: RouteChoice, forwardedHead: HTTPRequestHead, clientVersion: HTTPVersion, clientKeepAlive: Bool) {
        self.route = route
        self.forwardedHead = forwardedHead
        self.clientVersion = clientVersion
        self.clientKeepAlive = clientKeepAlive
    }

    /// A request that can be sent again when a reused keep-alive connection turns out to be
    /// closed: nothing but the head went out, and the method has no side effects.
    var canReplay: Bool {
        reusedConnection && !bodySent && !replayedOnFreshConnection
            && [.GET, .HEAD, .OPTIONS].contains(forwardedHead.method)
    }

    /// A request another color may answer after this one dropped the connection with none of
    /// the response received, as nginx's `proxy_next_upstream error` does: an idempotent method
    /// (RFC 9110 9.2.2; never POST, PATCH or CONNECT), the whole request received with no body
    /// byte sent (bodies are streamed, not kept, so only a bodiless request can be sent again),
    /// and a color to move to (none once it moved: a fallback's route has no fallback).
    var canRetryElsewhere: Bool {
        requestEnded && !bodySent && route.fallback != nil && status == nil
            && [.GET, .HEAD, .PUT, .DELETE, .OPTIONS, .TRACE].contains(forwardedHead.method)
    }
}
