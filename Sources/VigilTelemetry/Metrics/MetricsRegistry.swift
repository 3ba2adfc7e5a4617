import Prometheus

/// Vigil's one Prometheus registry: every series `/metrics` shows lives here, whether the exporter
/// sets it at scrape time or code anywhere records it through swift-metrics (``factory``).
///
/// Label values are written escaped (backslash, double quote, line feed) by swift-prometheus, so
/// service names and other manifest text cannot break the exposition. Series are told apart by
/// name and their *ordered* labels: always pass the labels of a family in the same order.
public final class MetricsRegistry: Sendable {
    public let prometheus: PrometheusCollectorRegistry
    /// The swift-metrics backend writing into this registry; `vigil up` bootstraps it.
    public let factory: VigilMetricsFactory

    public init(configuration: VigilMetricsFactory.Configuration = .init()) {
        prometheus = PrometheusCollectorRegistry()
        factory = VigilMetricsFactory(registry: prometheus, configuration: configuration)
    }

    /// The series of `family` with `labels`, created at 0 the first time.
    public func counter(_ family: MetricInfo, _ labels: [(String, String)]) -> Counter {
        prometheus.makeCounter(descriptor: descriptor(family), labels: labels)
    }

    /// The series of `family` with `labels`, created at 0 the first time.
    public func gauge(_ family: MetricInfo, _ labels: [(String, String)]) -> Gauge {
        prometheus.makeGauge(descriptor: descriptor(family), labels: labels)
    }

    /// Removes a series from the exposition; a later ``counter(_:_:)`` starts it again at 0.
    public func removeCounter(_ family: MetricInfo, _ labels: [(String, String)]) {
        // The registry unregisters by instance; making returns the registered one (or a fresh
        // one that is dropped at once), so this works whoever created the series.
        prometheus.unregisterCounter(counter(family, labels))
    }

    public func removeGauge(_ family: MetricInfo, _ labels: [(String, String)]) {
        prometheus.unregisterGauge(gauge(family, labels))
    }

    /// Removes a series a swift-metrics Timer created (a histogram with the factory's buckets).
    public func removeTimer(_ family: MetricInfo, _ labels: [(String, String)]) {
        let histogram = prometheus.makeDurationHistogram(descriptor: descriptor(family), labels: labels, buckets: factory.configuration.timerBuckets)
        prometheus.unregisterDurationHistogram(histogram)
    }

    /// The whole registry in the Prometheus text format (version 0.0.4).
    public func exposition() -> [UInt8] {
        prometheus.emitToBuffer()
    }

    private func descriptor(_ family: MetricInfo) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: family.name, unitName: "", helpText: family.help)
    }
}
