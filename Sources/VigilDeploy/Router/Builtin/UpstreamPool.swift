import NIOCore
import NIOHTTP1
import NIOPosix

/// Idle keep-alive connections to the colors, one pool per event loop so a client connection
/// and the upstream connection serving it share a thread and never lock.
///
/// Connections are kept per port, most recently used first (the one most likely still open);
/// at most `maxIdlePerPort` wait per port, the rest are closed. Only ever touched on its event
/// loop (hence unchecked Sendable: it crosses threads only to be found).
final class UpstreamPool: @unchecked Sendable {
    let eventLoop: EventLoop
    private let connectTimeout: TimeAmount
    private let maxIdlePerPort: Int
    private var idle: [UInt16: [UpstreamConnection]] = [:]

    init(eventLoop: EventLoop, connectTimeout: TimeAmount, maxIdlePerPort: Int) {
        self.eventLoop = eventLoop
        self.connectTimeout = connectTimeout
        self.maxIdlePerPort = maxIdlePerPort
    }

    /// The most recently used idle connection to 127.0.0.1:`port`, if one is still open. The
    /// common case of a busy router, so it costs no future and no allocation.
    func takeIdle(port: UInt16) -> UpstreamConnection? {
        eventLoop.assertInEventLoop()
        while let connection = idle[port]?.popLast() {
            connection.onIdleClose = nil
            if connection.isActive { return connection }
        }
        return nil
    }

    /// A new connection, never a pooled one.
    func connect(port: UInt16) -> EventLoopFuture<UpstreamConnection> {
        let connection = UpstreamConnection(port: port)
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(connection)
                }
            }
            .connect(host: "127.0.0.1", port: Int(port))
            .map { _ in connection }
    }

    /// Takes back a connection whose last response ended cleanly, or closes it.
    func release(_ connection: UpstreamConnection) {
        eventLoop.assertInEventLoop()
        connection.delegate = nil
        guard connection.isActive, !connection.closesAfterResponse, idle[connection.port, default: []].count < maxIdlePerPort else {
            connection.close()
            return
        }
        connection.onIdleClose = { [weak self] closed in self?.remove(closed) }
        idle[connection.port, default: []].append(connection)
    }

    /// Closes every idle connection (router shutdown).
    func closeAll() {
        eventLoop.assertInEventLoop()
        let all = idle.values.flatMap { $0 }
        idle.removeAll()
        for connection in all {
            connection.onIdleClose = nil
            connection.close()
        }
    }

    var idleCount: Int { idle.values.reduce(0) { $0 + $1.count } }

    private func remove(_ connection: UpstreamConnection) {
        idle[connection.port]?.removeAll { $0 === connection }
    }
}
