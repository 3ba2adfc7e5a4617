import NIOCore
import VigilManifest

extension BuiltinRouter {
    /// How a builtin router listens and talks to the colors; defaults for everything but the
    /// service and the address.
    public struct Configuration: Sendable {
        /// Labels the metrics (`service="..."`) and error texts.
        public var service: String
        /// The public address (`deploy.listen`); port 0 picks a free one (tests).
        public var listen: HostPort
        /// `http`: an HTTP/1.1 reverse proxy, colors picked per request; `tcp`: colors picked per
        /// connection and bytes spliced.
        public var mode: TrafficProtocol
        /// How long `shutdown()` lets in-flight requests finish (`deploy.drainTimeout`).
        public var drainTimeout: Duration
        /// A color that does not accept a connection in this time counts as refused.
        public var connectTimeout: Duration
        /// Idle keep-alive connections kept per color and event loop.
        public var maxIdleConnectionsPerColor: Int
        /// Event loop threads when the router makes its own group.
        public var threads: Int
        /// HTTP mode: when `apply` gives a color traffic, each event loop opens connections to it
        /// in the background, as many as its client connections times the color's share (at most
        /// `maxIdleConnectionsPerColor`), so the first requests after a switch find one ready.
        public var prewarm: Bool

        public init(
            service: String, listen: HostPort, mode: TrafficProtocol = .http, drainTimeout: Duration = .seconds(30),
            connectTimeout: Duration = .seconds(5), maxIdleConnectionsPerColor: Int = 128,
            threads: Int = System.coreCount, prewarm: Bool = true
        ) {
            self.service = service
            self.listen = listen
            self.mode = mode
            self.drainTimeout = drainTimeout
            self.connectTimeout = connectTimeout
            self.maxIdleConnectionsPerColor = maxIdleConnectionsPerColor
            self.threads = threads
            self.prewarm = prewarm
        }

        /// The configuration a service's `deploy` section asks for.
        public init(service: String, deploy: DeploySpec) {
            self.init(service: service, listen: deploy.listen, mode: deploy.trafficProtocol, drainTimeout: deploy.drainTimeout)
        }
    }
}
