import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import VigilManifest

/// The builtin router: a SwiftNIO reverse proxy that owns `deploy.listen` and sends each HTTP
/// request (or, in TCP mode, each connection) to 127.0.0.1:<color port> by the weights of the
/// current `RoutingTable`.
///
/// `apply` swaps the table in one step: the next request picks by the new weights, requests in
/// flight finish on the color they started on, and idle keep-alive client connections stay
/// open, so a switch drops nothing. Upstream connections are pooled per event loop and color.
///
/// ```swift
/// let router = BuiltinRouter(service: "web", deploy: spec.deploy!)
/// try await router.start()
/// try await router.apply(.all(to: .blue, ports: spec.deploy!.ports))
/// let stats = await router.stats(for: .green, over: .seconds(30))
/// await router.shutdown()
/// ```
public final class BuiltinRouter: TrafficRouter {
    public let configuration: Configuration
    private let core: RouterCore
    private let group: EventLoopGroup
    private let ownsGroup: Bool
    private let server = NIOLockedValueBox<Channel?>(nil)

    /// `eventLoopGroup`: share one (tests, Vigil's own); by default the router makes a group of
    /// `configuration.threads` and shuts it down in `shutdown()`.
    public init(configuration: Configuration, eventLoopGroup: EventLoopGroup? = nil) {
        self.configuration = configuration
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        self.group = group
        core = RouterCore(configuration: configuration, eventLoops: Array(group.makeIterator()))
        ownsGroup = eventLoopGroup == nil
    }

    /// The router a service's `deploy` section describes.
    public convenience init(service: String, deploy: DeploySpec, eventLoopGroup: EventLoopGroup? = nil) {
        self.init(configuration: Configuration(service: service, deploy: deploy), eventLoopGroup: eventLoopGroup)
    }

    /// The port actually bound (differs from `configuration.listen.port` when that was 0).
    public var boundPort: UInt16? {
        server.withLockedValue { $0?.localAddress?.port }.map { UInt16($0) }
    }

    public func start() async throws {
        let core = core
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: configuration.mode == .tcp)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    core.register(client: channel)
                    switch core.configuration.mode {
                    case .http:
                        // The lean pipeline: request decoder (HTTPDecodingHandler) and proxy. Pipelining, malformed requests
                        // and response encoding (ClientResponseEncoder) are HTTPProxyHandler's; headers
                        // need no second validation (they were parsed by llhttp, and the router adds
                        // only its own constant names and addresses).
                        try channel.pipeline.syncOperations.addHandler(HTTPDecodingHandler(.request(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))))
                        try channel.pipeline.syncOperations.addHandler(HTTPProxyHandler(core: core))
                    case .tcp:
                        try TCPConnectionRouter.accept(channel, core: core)
                    }
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.bind(host: configuration.listen.host, port: Int(configuration.listen.port)).get()
        } catch {
            throw RouterError("the builtin router of \(configuration.service) cannot listen on \(configuration.listen): \(error); is another process using that port?")
        }
        server.withLockedValue { $0 = channel }
    }

    public func apply(_ table: RoutingTable) async throws {
        // Connections to the colors with traffic start opening on every loop now; the swap
        // below does not wait for them (a request that finds none ready connects as before).
        core.prewarm(for: table)
        core.routing.apply(table)
        for color in Color.allCases { core.traffic(color).setWeight(table.weight(color)) }
    }

    /// The table in force (nil before the first `apply`).
    public var table: RoutingTable? { core.routing.table }

    public func stats(for color: Color, over window: Duration) async -> RouterStats {
        core.traffic(color).ring.stats(over: window)
    }

    public func inFlight(_ color: Color) async -> Int {
        core.traffic(color).inFlight
    }

    /// Idle keep-alive connections to the colors, over all event loops (for tests and debugging).
    public func idleUpstreamConnections() async -> Int {
        var total = 0
        for pool in core.allPools {
            total += (try? await pool.eventLoop.submit { pool.idleCount }.get()) ?? 0
        }
        return total
    }

    /// Idle keep-alive connections to `color` (its port in the table in force), over all loops.
    public func idleUpstreamConnections(to color: Color) async -> Int {
        guard let port = table?.ports[color] else { return 0 }
        var total = 0
        for pool in core.allPools {
            total += (try? await pool.eventLoop.submit { pool.idleCount(port: port) }.get()) ?? 0
        }
        return total
    }

    public func shutdown() async {
        let listener = server.withLockedValue { channel -> Channel? in
            defer { channel = nil }
            return channel
        }
        try? await listener?.close()
        // Idle client connections close now; busy ones close after their current response
        // (HTTPProxyHandler answers with `Connection: close`).
        for client in core.openClients {
            client.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.drainTimeout
        while core.totalInFlight > 0 || (configuration.mode == .http && !core.openClients.isEmpty), clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for client in core.openClients { try? await client.close() }
        for pool in core.allPools {
            try? await pool.eventLoop.submit { pool.closeAll() }.get()
        }
        if ownsGroup { try? await group.shutdownGracefully() }
    }
}
