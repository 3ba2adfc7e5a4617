import NIOCore
import NIOHTTP1
import NIOPosix

/// Idle keep-alive connections to the colors, one pool per event loop so a client connection
/// and the upstream connection serving it share a thread and never lock.
///
/// Connections are kept per port, most recently used first (the one most likely still open);
/// at most `maxIdlePerPort` wait per port, the rest are closed. Only ever touched on its event
/// loop (hence unchecked Sendable: it crosses threads only to be found).
///
/// `prewarm` opens connections to a color before it gets traffic, so a switch does not make
/// every client connection of the loop connect to the new color at the same moment.
final class UpstreamPool: @unchecked Sendable {
    let eventLoop: EventLoop
    private let connectTimeout: TimeAmount
    private let maxIdlePerPort: Int
    private var idle: [UInt16: [UpstreamConnection]] = [:]
    /// Connections per port that are connecting, lent to a request or idle here.
    private var open: [UInt16: Int] = [:]
    /// Client connections served on this loop (HTTP mode): what a switch would need at once.
    private(set) var clients = 0
    /// After router shutdown nothing is pooled any more (a late pre-warmed connection closes).
    private var closedForGood = false

    init(eventLoop: EventLoop, connectTimeout: TimeAmount, maxIdlePerPort: Int) {
        self.eventLoop = eventLoop
        self.connectTimeout = connectTimeout
        self.maxIdlePerPort = maxIdlePerPort
    }

    func clientOpened() { clients += 1 }
    func clientClosed() { clients -= 1 }

    /// The most recently used idle connection to 127.0.0.1:`port`, if one is still open. The
    /// common case of a busy router, so it costs no future and no allocation.
    func takeIdle(port: UInt16) -> UpstreamConnection? {
        eventLoop.assertInEventLoop()
        while let connection = idle[port]?.popLast() {
            connection.isIdle = false
            if connection.isActive { return connection }
        }
        return nil
    }

    /// A new connection, never a pooled one.
    func connect(port: UInt16) -> EventLoopFuture<UpstreamConnection> {
        eventLoop.assertInEventLoop()
        let connection = UpstreamConnection(port: port, pool: self)
        open[port, default: 0] += 1
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Requests go out as the router rebuilt them from parsed heads: no outbound
                    // header validation (it would check every header a second time), and
                    // ForwardedRequestEncoder and HTTPResponseDecodingHandler in place of
                    // HTTPRequestEncoder and ByteToMessageHandler (same bytes, fewer checks).
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(ForwardedRequestEncoder())
                    try sync.addHandler(HTTPResponseDecodingHandler())
                    try sync.addHandler(connection)
                }
            }
            .connect(host: "127.0.0.1", port: Int(port))
            .map { _ in connection }
            .flatMapErrorThrowing { [self] error in
                // Never active, so never reported closed: it stops counting here.
                open[port, default: 1] -= 1
                throw error
            }
    }

    /// Takes back a connection whose last response ended cleanly, or closes it.
    func release(_ connection: UpstreamConnection) {
        eventLoop.assertInEventLoop()
        connection.delegate = nil
        guard !closedForGood, connection.isActive, !connection.closesAfterResponse, idle[connection.port, default: []].count < maxIdlePerPort else {
            connection.close()
            return
        }
        connection.isIdle = true
        idle[connection.port, default: []].append(connection)
    }

    /// An upstream connection closed (idle, lent or just made): it leaves the pool's counts.
    func closed(_ connection: UpstreamConnection) {
        open[connection.port, default: 1] -= 1
        if connection.isIdle {
            connection.isIdle = false
            idle[connection.port]?.removeAll { $0 === connection }
        }
    }

    /// Opens connections to `port` in the background until this loop has `share` (0–1) of its
    /// client connections' worth open to it (capped at `maxIdlePerPort`); each goes idle here
    /// when connected. Returns at once; a connection that fails is simply not pooled (a request
    /// then connects on its own, with its usual retry and fallback).
    func prewarm(port: UInt16, share: Double) {
        eventLoop.assertInEventLoop()
        let wanted = min(maxIdlePerPort, Int((Double(clients) * share).rounded(.up)))
        let missing = wanted - open[port, default: 0]
        guard missing > 0 else { return }
        for _ in 0..<missing {
            connect(port: port).whenSuccess { [self] connection in release(connection) }
        }
    }

    /// Closes every idle connection (router shutdown).
    func closeAll() {
        eventLoop.assertInEventLoop()
        closedForGood = true
        let all = idle.values.flatMap { $0 }
        idle.removeAll()
        for connection in all {
            connection.isIdle = false
            connection.close()
        }
    }

    var idleCount: Int { idle.values.reduce(0) { $0 + $1.count } }

    func idleCount(port: UInt16) -> Int { idle[port]?.count ?? 0 }
}
