import VigilManifest

/// Where a service's public traffic goes: the builtin SwiftNIO proxy or nginx.
///
/// The rollout controller only ever talks to a router through this protocol, so the same
/// rollout runs through either. A router owns `deploy.listen` (builtin) or the nginx upstream
/// file (nginx); it never starts or stops the colors themselves.
public protocol TrafficRouter: AnyObject, Sendable {
    /// Binds the public address (builtin) or checks the nginx set-up; called once, before the
    /// first `apply`. Throws a message an operator can act on (address in use, nginx -t output).
    func start() async throws

    /// Makes `table` the routing for new requests, atomically: no request ever sees half of
    /// it. Requests already in flight finish on the color they started on. For nginx this
    /// writes the upstream file, runs the test and reloads; on failure the previous file is
    /// restored and the error thrown (the rollout then rolls back).
    func apply(_ table: RoutingTable) async throws

    /// Per-color request statistics over the trailing `window` (for analysis).
    func stats(for color: Color, over window: Duration) async -> RouterStats

    /// Requests (HTTP) or connections (TCP mode) currently in flight to `color`, for draining.
    func inFlight(_ color: Color) async -> Int

    /// Stops accepting, lets in-flight requests finish up to `drainTimeout`, closes everything.
    func shutdown() async
}

/// Weights per color (0–100; the colors with traffic sum to 100), the loopback port each
/// color listens on, and the color a failed request may be retried on.
public struct RoutingTable: Sendable, Equatable, Codable {
    public var weights: [Color: Int]
    public var ports: [Color: UInt16]
    /// A color without weight that is known to be ready (the warm standby), used only for
    /// retries: the builtin router sends it a request the picked color failed (refused the
    /// connection, or dropped it before answering an idempotent request) when no other color has
    /// weight; nginx lists it as a `backup` server. nil: requests go only to colors with weight.
    public var fallback: Color?

    public init(weights: [Color: Int], ports: [Color: UInt16], fallback: Color? = nil) {
        self.weights = weights
        self.ports = ports
        self.fallback = fallback
    }

    /// All traffic to one color.
    public static func all(to color: Color, ports: [Color: UInt16]) -> RoutingTable {
        RoutingTable(weights: [color: 100, color.other: 0], ports: ports)
    }

    public func weight(_ color: Color) -> Int { weights[color] ?? 0 }
}

/// What the router saw for one color over a window.
public struct RouterStats: Sendable, Equatable {
    /// Requests that completed (any status) plus connection failures.
    public var requests: Int
    /// Responses with a 5xx status.
    public var serverErrors: Int
    /// Upstream connect failures, and connections closed or reset before the response ended;
    /// also those the router then retried on another color (the failure is still this color's).
    public var connectFailures: Int
    /// 99th percentile of upstream latency (request sent → response head received), nil
    /// without requests.
    public var latencyP99: Duration?

    public init(requests: Int = 0, serverErrors: Int = 0, connectFailures: Int = 0, latencyP99: Duration? = nil) {
        self.requests = requests
        self.serverErrors = serverErrors
        self.connectFailures = connectFailures
        self.latencyP99 = latencyP99
    }

    /// 5xx and connection failures over all requests; 0 without requests.
    public var errorRate: Double {
        requests == 0 ? 0 : Double(serverErrors + connectFailures) / Double(requests)
    }
}
