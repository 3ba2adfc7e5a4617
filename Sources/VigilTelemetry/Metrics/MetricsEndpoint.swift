import Hummingbird
import Logging
import Metrics
import ServiceLifecycle
import VigilManifest
import VigilSupervisor

/// Vigil's metrics as `vigil up` wires them: one registry behind swift-metrics, the restart
/// counter on the event log, and `GET /metrics` on `metrics.listen`.
///
/// ```swift
/// // Before anything makes a swift-metrics handle:
/// let metrics = settings.metrics.map { MetricsEndpoint.bootstrap(listen: $0.listen, events: resources.events) }
/// // ... then run its server in the ServiceGroup:
/// services.append(metrics.server(version: VigilVersion.current, supervisor: supervisor))
/// ```
public final class MetricsEndpoint: Sendable {
    /// What Prometheus expects of the text format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public let listen: HostPort
    public let registry: MetricsRegistry
    public let restarts: RestartCounter

    /// Creates the registry and subscribes the restart counter to `events`, without touching
    /// the process-wide swift-metrics backend (tests make several).
    public init(listen: HostPort, events: EventLog, registry: MetricsRegistry = MetricsRegistry()) {
        self.listen = listen
        self.registry = registry
        restarts = RestartCounter(registry: registry)
        let restarts = self.restarts
        _ = events.subscribe { restarts.count($0) }
    }

    /// ``init(listen:events:registry:)``, and makes this registry the swift-metrics backend of the
    /// process. swift-metrics allows that once per process: call it once, from `vigil up`.
    public static func bootstrap(listen: HostPort, events: EventLog) -> MetricsEndpoint {
        let endpoint = MetricsEndpoint(listen: listen, events: events)
        MetricsSystem.bootstrap(endpoint.registry.factory)
        return endpoint
    }

    /// The HTTP listener as a service for the ServiceGroup; it fails the group, with a message
    /// naming `metrics.listen`, when the address cannot be bound.
    public func server(version: String, supervisor: Supervisor) -> any Service {
        MetricsServer(
            listen: listen,
            exporter: MetricsExporter(registry: registry, version: version, restarts: restarts, status: { await supervisor.status(readingUsage: false) })
        )
    }
}

/// `GET /metrics` over HTTP/1.1 on one address.
struct MetricsServer: Service {
    let listen: HostPort
    let exporter: MetricsExporter

    func run() async throws {
        let router = Router()
        let exporter = self.exporter
        router.get("/metrics") { _, _ in
            let text = await exporter.scrape()
            return Response(
                status: .ok, headers: [.contentType: MetricsEndpoint.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: text))
            )
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(listen.host, port: Int(listen.port)), serverName: "vigil"),
            logger: Logger(label: "vigil.metrics")
        )
        do {
            try await app.run()
        } catch {
            throw MetricsServerError(listen: listen, underlying: error)
        }
    }
}

struct MetricsServerError: Error, CustomStringConvertible {
    let listen: HostPort
    let underlying: any Error

    var description: String {
        "metrics listener on \(listen) failed: \(underlying). Is another process on that port? "
            + "Change metrics.listen in the supervisor config, or remove the metrics section to run without /metrics."
    }
}
