import Foundation

/// The engine's pipeline behind the HTTP API: analyse a signal, store it, count it, stream it.
///
/// One instance per running engine; every route and the background generator go through it.
public final class EngineService: Sendable {
    public let store: ThreatStore
    public let coordinator: ThreatCoordinator
    public let metrics: EngineMetrics
    public let broadcaster: ThreatBroadcaster
    public let generator: ThreatGenerator
    public let startedAt: Date

    public init(store: ThreatStore, coordinator: ThreatCoordinator, generator: ThreatGenerator, metrics: EngineMetrics = EngineMetrics(), broadcaster: ThreatBroadcaster = ThreatBroadcaster()) {
        self.store = store
        self.coordinator = coordinator
        self.metrics = metrics
        self.broadcaster = broadcaster
        self.generator = generator
        startedAt = Date()
    }

    /// Analyses `signal`, commits the result and announces it; returns the analysis as JSON.
    public func process(_ signal: SecuritySignal, receivedAt: Date = Date()) async throws -> Data {
        let analysis = await coordinator.analyze(signal, receivedAt: receivedAt)
        let body = analysis.jsonData()
        try await store.insert(analysis, body: body)
        metrics.record(analysis)
        broadcaster.publish(ThreatBroadcaster.envelope(type: "new_threat", data: body))
        return body
    }

    /// Nil when the store answers and the agents have their data; otherwise why not.
    public func unreadyReason() async -> String? {
        if let reason = await store.unusableReason() { return reason }
        if coordinator.knowledge.catalogue.techniques.isEmpty { return "the ATT&CK catalogue is empty" }
        return nil
    }
}
