import NIOCore
import NIOPosix

/// TCP mode: picks a color when a client connects, connects to it (to the other color when that
/// one is refused and the other has traffic), then splices bytes both ways until either side
/// closes. Each connection counts as one request of its color; its latency is the connect time.
enum TCPConnectionRouter {
    /// Installs the client side on an accepted channel and starts connecting upstream.
    static func accept(_ channel: Channel, core: RouterCore) throws {
        let client = TCPSpliceHandler()
        try channel.pipeline.syncOperations.addHandler(client)
        guard let route = core.routing.pick() else {
            channel.close(promise: nil)
            return
        }
        connect(client: client, clientChannel: channel, route: route, core: core)
    }

    /// Connects to `route`'s color, else once to its fallback (whose route has no fallback).
    private static func connect(client: TCPSpliceHandler, clientChannel: Channel, route: RouteChoice, core: RouterCore) {
        let traffic = core.traffic(route.color)
        traffic.requestStarted()
        let upstream = TCPSpliceHandler()
        let started = NIODeadline.now()
        ClientBootstrap(group: clientChannel.eventLoop)
            .connectTimeout(.nanoseconds(Int64(core.configuration.connectTimeout / .nanoseconds(1))))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(upstream) }
            }
            .connect(host: "127.0.0.1", port: Int(route.port))
            .whenComplete { result in
                switch result {
                case .success(let upstreamChannel):
                    guard !client.closed else {
                        traffic.requestEnded()
                        upstreamChannel.close(promise: nil)
                        return
                    }
                    let connectNanoseconds = (NIODeadline.now() - started).nanoseconds
                    upstream.onClose = {
                        traffic.recordResponse(status: 200, latencyNanoseconds: UInt64(max(0, connectNanoseconds)))
                        traffic.requestEnded()
                    }
                    TCPSpliceHandler.splice(client, upstream)
                    client.resumeReading()
                    upstream.resumeReading()
                case .failure:
                    traffic.recordConnectFailure()
                    traffic.requestEnded()
                    if let fallback = route.fallback, !client.closed {
                        let next = RouteChoice(color: fallback.color, port: fallback.port, fallback: nil)
                        connect(client: client, clientChannel: clientChannel, route: next, core: core)
                    } else {
                        clientChannel.close(promise: nil)
                    }
                }
            }
    }
}
