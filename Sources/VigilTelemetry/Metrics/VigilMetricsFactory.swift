import CoreMetrics
import Prometheus

/// The swift-metrics backend of `vigil up`: every Counter, Gauge, Meter, Recorder and Timer made
/// anywhere in the process (probes, the router, rollouts) becomes a series of one
/// ``MetricsRegistry`` and so appears at `/metrics`.
///
/// swift-prometheus ships `PrometheusMetricsFactory`, but it registers every family with an empty
/// help text: no `# HELP` line, which `promtool check metrics` rejects, and the registry stops the
/// process (fatalError) when one name is registered with two different help texts. This factory
/// does the same mapping with the help text of ``MetricCatalogue``, and names pass through as
/// they are (no prefix, no rewriting; the registry only replaces characters Prometheus forbids).
///
/// - Counter, FloatingPointCounter: counter.
/// - Gauge (a non-aggregating Recorder), Meter: gauge.
/// - Timer: histogram in seconds over ``Configuration/timerBuckets``.
/// - Recorder (aggregating): histogram over ``Configuration/valueBuckets``.
public struct VigilMetricsFactory: CoreMetrics.MetricsFactory {
    public struct Configuration: Sendable {
        /// Upper bounds of every Timer histogram. From 1 ms (a loopback probe or proxied request)
        /// to 10 s (beyond any probe timeout worth having); a family keeps the buckets it was
        /// first made with.
        public var timerBuckets: [Duration]
        /// Upper bounds of aggregating Recorders (swift-metrics' `Recorder(aggregate: true)`).
        public var valueBuckets: [Double]

        public init(
            timerBuckets: [Duration] = [
                .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            ],
            valueBuckets: [Double] = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
        ) {
            self.timerBuckets = timerBuckets
            self.valueBuckets = valueBuckets
        }
    }

    public let registry: PrometheusCollectorRegistry
    public let configuration: Configuration

    public init(registry: PrometheusCollectorRegistry, configuration: Configuration = .init()) {
        self.registry = registry
        self.configuration = configuration
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: MetricCatalogue.help(for: label))
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: configuration.valueBuckets)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: configuration.timerBuckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        switch handler {
        case let gauge as Prometheus.Gauge: registry.unregisterGauge(gauge)
        case let histogram as ValueHistogram: registry.unregisterValueHistogram(histogram)
        default: break
        }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
