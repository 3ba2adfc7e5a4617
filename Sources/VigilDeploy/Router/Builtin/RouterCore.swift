import NIOConcurrencyHelpers
import NIOCore
import VigilManifest

/// The state every connection handler of one builtin router shares: the routing table, the
/// per-color counters, the per-event-loop upstream pools and the open client connections.
final class RouterCore: Sendable {
    let configuration: BuiltinRouter.Configuration
    let routing = RoutingState()
    let traffic: [Color: ColorTraffic]
    /// One pool per event loop of the router's group, made up front so finding one takes no lock.
    private let pools: [ObjectIdentifier: UpstreamPool]
    /// Pools of loops outside that group (not expected; kept correct rather than trapping).
    private let strayPools = NIOLockedValueBox<[ObjectIdentifier: UpstreamPool]>([:])
    private let clients = NIOLockedValueBox<[ObjectIdentifier: Channel]>([:])

    init(configuration: BuiltinRouter.Configuration, eventLoops: [EventLoop]) {
        self.configuration = configuration
        var pools: [ObjectIdentifier: UpstreamPool] = [:]
        for eventLoop in eventLoops {
            pools[ObjectIdentifier(eventLoop)] = UpstreamPool(
                eventLoop: eventLoop, connectTimeout: .nanoseconds(Int64(configuration.connectTimeout / .nanoseconds(1))),
                maxIdlePerPort: configuration.maxIdleConnectionsPerColor
            )
        }
        self.pools = pools
        var traffic: [Color: ColorTraffic] = [:]
        for color in Color.allCases { traffic[color] = ColorTraffic(service: configuration.service, color: color) }
        self.traffic = traffic
        blueTraffic = traffic[.blue]!
        greenTraffic = traffic[.green]!
    }

    private let blueTraffic: ColorTraffic
    private let greenTraffic: ColorTraffic

    /// Several times per request, hence no dictionary lookup.
    @inline(__always)
    func traffic(_ color: Color) -> ColorTraffic { color == .blue ? blueTraffic : greenTraffic }

    /// The pool of `eventLoop`.
    func pool(for eventLoop: EventLoop) -> UpstreamPool {
        let key = ObjectIdentifier(eventLoop)
        if let pool = pools[key] { return pool }
        return strayPools.withLockedValue { pools in
            if let pool = pools[key] { return pool }
            let pool = UpstreamPool(
                eventLoop: eventLoop, connectTimeout: .nanoseconds(Int64(configuration.connectTimeout / .nanoseconds(1))),
                maxIdlePerPort: configuration.maxIdleConnectionsPerColor
            )
            pools[key] = pool
            return pool
        }
    }

    var allPools: [UpstreamPool] { Array(pools.values) + strayPools.withLockedValue { Array($0.values) } }

    /// Asks every loop's pool to open connections to the colors `table` gives traffic, in
    /// proportion to each color's share of it, and returns without waiting for any of them.
    func prewarm(for table: RoutingTable) {
        guard configuration.mode == .http, configuration.prewarm else { return }
        let total = Color.allCases.reduce(0) { $0 + max(0, table.weight($1)) }
        guard total > 0 else { return }
        let targets = Color.allCases.compactMap { color -> (port: UInt16, share: Double)? in
            guard table.weight(color) > 0, let port = table.ports[color] else { return nil }
            return (port, Double(table.weight(color)) / Double(total))
        }
        for pool in allPools {
            pool.eventLoop.execute {
                for target in targets { pool.prewarm(port: target.port, share: target.share) }
            }
        }
    }

    /// Remembers an accepted client connection until it closes, so shutdown can reach it.
    func register(client channel: Channel) {
        let key = ObjectIdentifier(channel)
        clients.withLockedValue { $0[key] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.clients.withLockedValue { $0.removeValue(forKey: key) }
        }
    }

    var openClients: [Channel] { clients.withLockedValue { Array($0.values) } }

    var totalInFlight: Int { traffic.values.reduce(0) { $0 + $1.inFlight } }
}
