import NIOConcurrencyHelpers
import NIOCore
import VigilManifest

/// The state every connection handler of one builtin router shares: the routing table, the
/// per-color counters, the per-event-loop upstream pools and the open client connections.
final class RouterCore: Sendable {
    let configuration: BuiltinRouter.Configuration
    let routing = RoutingState()
    let traffic: [Color: ColorTraffic]
    private let pools = NIOLockedValueBox<[ObjectIdentifier: UpstreamPool]>([:])
    private let clients = NIOLockedValueBox<[ObjectIdentifier: Channel]>([:])

    init(configuration: BuiltinRouter.Configuration) {
        self.configuration = configuration
        var traffic: [Color: ColorTraffic] = [:]
        for color in Color.allCases { traffic[color] = ColorTraffic(service: configuration.service, color: color) }
        self.traffic = traffic
    }

    func traffic(_ color: Color) -> ColorTraffic { traffic[color]! }

    /// The pool of `eventLoop`, made on first use.
    func pool(for eventLoop: EventLoop) -> UpstreamPool {
        pools.withLockedValue { pools in
            let key = ObjectIdentifier(eventLoop)
            if let pool = pools[key] { return pool }
            let pool = UpstreamPool(
                eventLoop: eventLoop, connectTimeout: .nanoseconds(Int64(configuration.connectTimeout / .nanoseconds(1))),
                maxIdlePerPort: configuration.maxIdleConnectionsPerColor
            )
            pools[key] = pool
            return pool
        }
    }

    var allPools: [UpstreamPool] { pools.withLockedValue { Array($0.values) } }

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
