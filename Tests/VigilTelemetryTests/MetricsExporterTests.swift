import Foundation
import Metrics
import VigilManifest
import VigilSupervisor
import VigilTestKit
@testable import VigilTelemetry
import XCTest

/// The registry and exporter without processes: a status report and process-group usage made
/// up by the test, the exposition read back line by line.
final class MetricsExporterTests: XCTestCase {
    private func exporter(
        _ registry: MetricsRegistry = MetricsRegistry(), restarts: RestartCounter? = nil,
        report: @escaping @Sendable () -> StatusReport, usage: [pid_t: ProcessGroupUsage] = [:]
    ) -> MetricsExporter {
        MetricsExporter(
            registry: registry, version: "1.2.3-test", restarts: restarts ?? RestartCounter(registry: registry),
            status: { report() }, usage: { groups in usage.filter { groups.contains($0.key) } }
        )
    }

    private func service(_ name: String, state: String, pid: Int32? = 4242, ready: Bool = false, color: String = "default") -> ServiceStatus {
        ServiceStatus(
            name: name, state: state, activeColor: nil, revision: nil, version: nil,
            instances: [InstanceStatus(color: color, pid: pid, state: state, ready: ready, restarts: 0, rssBytes: nil, cpuSeconds: nil, startedAt: nil)],
            rollout: nil
        )
    }

    func testEveryFamilyHasHelpAndTypeAndCountersEndInTotal() async throws {
        let exporter = exporter(report: { StatusReport(services: [self.service("api", state: "ready", ready: true)]) })
        let exposition = try Exposition(bytes: await exporter.scrape())
        let families = Set(exposition.types.keys)
        for expected in ["vigil_build_info", "vigil_service_up", "vigil_service_ready", "vigil_service_state", "vigil_service_restarts_total",
                         "vigil_process_resident_memory_bytes", "vigil_process_cpu_seconds_total", "process_resident_memory_bytes",
                         "process_virtual_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_max_fds", "process_start_time_seconds"] {
            XCTAssertTrue(families.contains(expected), "missing family \(expected) in:\n\(exposition.text)")
        }
        for family in families {
            XCTAssertEqual(exposition.help[family], MetricCatalogue.help(for: family), "HELP of \(family)")
            if exposition.types[family] == "counter" { XCTAssertTrue(family.hasSuffix("_total"), family) }
        }
        XCTAssertEqual(exposition.value("vigil_build_info", ["version": "1.2.3-test"]), 1)
        XCTAssertEqual(exposition.types["vigil_build_info"], "gauge")
        XCTAssertEqual(exposition.types["vigil_service_restarts_total"], "counter")
        try assertPromtoolClean(exposition.text)
    }

    func testServiceStateIsOneHotOverEverySectionThreeState() async throws {
        let exporter = exporter(report: { StatusReport(services: [self.service("api", state: "backoff", pid: nil)]) })
        let exposition = try Exposition(bytes: await exporter.scrape())
        let states = exposition.samples("vigil_service_state", ["service": "api"])
        XCTAssertEqual(Set(states.map { $0.labels["state"]! }), Set(InstanceState.allCases.map(\.rawValue)))
        XCTAssertEqual(states.filter { $0.value == 1 }.map { $0.labels["state"] }, ["backoff"])
        XCTAssertEqual(states.filter { $0.value == 0 }.count, InstanceState.allCases.count - 1)
        XCTAssertEqual(exposition.value("vigil_service_up", ["service": "api", "color": "default"]), 0, "no pid, not up")
        XCTAssertEqual(exposition.value("vigil_service_ready", ["service": "api", "color": "default"]), 0)
    }

    func testUpReadyMemoryAndCPUComeFromTheReportAndTheProcessGroup() async throws {
        let exporter = exporter(
            report: { StatusReport(services: [self.service("api", state: "ready", pid: 77, ready: true, color: "blue")]) },
            usage: [77: ProcessGroupUsage(residentBytes: 12_345_678, cpuSeconds: 2.5)]
        )
        let exposition = try Exposition(bytes: await exporter.scrape())
        let labels = ["service": "api", "color": "blue"]
        XCTAssertEqual(exposition.value("vigil_service_up", labels), 1)
        XCTAssertEqual(exposition.value("vigil_service_ready", labels), 1)
        XCTAssertEqual(exposition.value("vigil_process_resident_memory_bytes", labels), 12_345_678)
        XCTAssertEqual(exposition.value("vigil_process_cpu_seconds_total", labels), 2.5)
    }

    func testLabelValuesFromManifestsAreEscaped() async throws {
        let name = "we\"ird\\name\nline"
        let exporter = exporter(report: { StatusReport(services: [self.service(name, state: "ready")]) })
        let bytes = await exporter.scrape()
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.contains(#"vigil_service_up{service="we\"ird\\name\nline",color="default"} 1"#), text)
        let exposition = try Exposition(text)
        XCTAssertEqual(exposition.value("vigil_service_up", ["service": name, "color": "default"]), 1, "the value reads back unescaped")
        try assertPromtoolClean(text)
    }

    func testRestartsCountByReasonStartingAtZero() async throws {
        let registry = MetricsRegistry()
        let restarts = RestartCounter(registry: registry)
        let exporter = exporter(registry, restarts: restarts, report: { StatusReport(services: [self.service("api", state: "ready")]) })
        var exposition = try Exposition(bytes: await exporter.scrape())
        for reason in ["exit", "signal", "liveness", "memory", "manual"] {
            XCTAssertEqual(exposition.value("vigil_service_restarts_total", ["service": "api", "reason": reason]), 0, reason)
        }
        restarts.count(SupervisorEvent(service: "api", kind: .restarted, reason: "manual", message: "restarting (manual)"))
        restarts.count(SupervisorEvent(service: "api", kind: .restarted, reason: "exit", message: "restart 1 (exit)"))
        restarts.count(SupervisorEvent(service: "api", kind: .restarted, reason: "exit", message: "restart 2 (exit)"))
        restarts.count(SupervisorEvent(service: "api", kind: .exited, reason: nil, message: "exited: status 1"))
        restarts.count(SupervisorEvent(service: "api", kind: .stopped, reason: "exit", message: "not restarting"))
        exposition = try Exposition(bytes: await exporter.scrape())
        XCTAssertEqual(exposition.value("vigil_service_restarts_total", ["service": "api", "reason": "manual"]), 1)
        XCTAssertEqual(exposition.value("vigil_service_restarts_total", ["service": "api", "reason": "exit"]), 2)
        XCTAssertEqual(exposition.value("vigil_service_restarts_total", ["service": "api", "reason": "signal"]), 0)
    }

    func testServicesThatLeaveTheReportLoseEverySeries() async throws {
        let registry = MetricsRegistry()
        let restarts = RestartCounter(registry: registry)
        let services = LockedBox(["keep", "gone"])
        let exporter = exporter(registry, restarts: restarts, report: {
            StatusReport(services: services.value.map { self.service($0, state: "ready", pid: $0 == "keep" ? 10 : 20) })
        })
        // Probe series come from swift-metrics handles, as the probe loop makes them.
        for name in ["keep", "gone"] {
            let probe = ProbeMetrics.dimensions(service: name, probe: .liveness)
            Metrics.Timer(label: ProbeMetrics.durationName, dimensions: probe, factory: registry.factory).record(duration: .milliseconds(3))
            Counter(label: ProbeMetrics.failuresName, dimensions: probe, factory: registry.factory).increment()
            // ... and so do the router's and the rollout controller's.
            let colored = [("service", name), ("color", "green")]
            Counter(label: "vigil_router_requests_total", dimensions: colored + [("code_class", "5xx")], factory: registry.factory).increment()
            Metrics.Timer(label: "vigil_router_request_duration_seconds", dimensions: colored, factory: registry.factory).record(duration: .milliseconds(2))
            Gauge(label: "vigil_traffic_weight", dimensions: colored, factory: registry.factory).record(100)
            Gauge(label: "vigil_active_color", dimensions: colored, factory: registry.factory).record(1)
            Counter(label: "vigil_rollouts_total", dimensions: [("service", name), ("result", "rolled_back")], factory: registry.factory).increment()
        }
        restarts.count(SupervisorEvent(service: "gone", kind: .restarted, reason: "exit", message: "restart"))
        var exposition = try Exposition(bytes: await exporter.scrape())
        XCTAssertFalse(exposition.samples.filter { $0.labels["service"] == "gone" }.isEmpty)

        services.value = ["keep"]
        exposition = try Exposition(bytes: await exporter.scrape())
        let leftovers = exposition.samples.filter { $0.labels["service"] == "gone" }
        XCTAssertEqual(leftovers, [], "series of a removed service stay behind")
        XCTAssertEqual(exposition.value("vigil_service_up", ["service": "keep", "color": "default"]), 1)
        XCTAssertEqual(exposition.value("vigil_probe_failures_total", ["service": "keep", "probe": "liveness"]), 1, "other services keep theirs")
        XCTAssertEqual(exposition.value("vigil_rollouts_total", ["service": "keep", "result": "rolled_back"]), 1)
        XCTAssertEqual(exposition.value("vigil_traffic_weight", ["service": "keep", "color": "green"]), 100)
        try assertPromtoolClean(exposition.text)

        services.value = ["keep", "gone"]
        exposition = try Exposition(bytes: await exporter.scrape())
        XCTAssertEqual(exposition.value("vigil_service_restarts_total", ["service": "gone", "reason": "exit"]), 0, "a service that comes back starts over")
    }

    func testSwiftMetricsHandlesLandInTheRegistryWithHelpAndSecondsBuckets() async throws {
        let registry = MetricsRegistry()
        let factory = registry.factory
        let labels = [("service", "soc-engine"), ("color", "green")]
        Counter(label: "vigil_router_requests_total", dimensions: labels + [("code_class", "2xx")], factory: factory).increment(by: 3)
        Metrics.Timer(label: "vigil_router_request_duration_seconds", dimensions: labels, factory: factory).record(duration: .milliseconds(7))
        Gauge(label: "vigil_traffic_weight", dimensions: labels, factory: factory).record(90)
        Counter(label: "vigil_rollouts_total", dimensions: [("service", "soc-engine"), ("result", "promoted")], factory: factory).increment()
        Gauge(label: "vigil_uncatalogued_items", dimensions: [], factory: factory).record(1)
        let exposition = try Exposition(bytes: registry.exposition())

        XCTAssertEqual(exposition.value("vigil_router_requests_total", ["service": "soc-engine", "color": "green", "code_class": "2xx"]), 3)
        XCTAssertEqual(exposition.types["vigil_router_request_duration_seconds"], "histogram")
        let buckets = exposition.samples("vigil_router_request_duration_seconds_bucket", ["service": "soc-engine", "color": "green"])
        XCTAssertEqual(buckets.first { $0.labels["le"] == "0.005" }?.value, 0, "7 ms is above 5 ms")
        XCTAssertEqual(buckets.first { $0.labels["le"] == "0.01" }?.value, 1, "bounds are seconds")
        XCTAssertEqual(buckets.first { $0.labels["le"] == "+Inf" }?.value, 1)
        XCTAssertEqual(try XCTUnwrap(exposition.value("vigil_router_request_duration_seconds_sum", ["service": "soc-engine", "color": "green"])), 0.007, accuracy: 1e-9)
        XCTAssertEqual(exposition.value("vigil_traffic_weight", ["service": "soc-engine", "color": "green"]), 90)
        XCTAssertEqual(exposition.types["vigil_traffic_weight"], "gauge")
        XCTAssertEqual(exposition.help["vigil_router_requests_total"], MetricCatalogue.routerRequests.help)
        XCTAssertNotNil(exposition.help["vigil_uncatalogued_items"], "an uncatalogued family still has a HELP line")
        try assertPromtoolClean(exposition.text)
    }

    func testSelfProcessFamiliesDescribeThisProcess() async throws {
        let exporter = exporter(report: { StatusReport(services: []) })
        let exposition = try Exposition(bytes: await exporter.scrape())
        XCTAssertGreaterThan(try XCTUnwrap(exposition.value("process_resident_memory_bytes")), 1_000_000)
        XCTAssertGreaterThan(try XCTUnwrap(exposition.value("process_virtual_memory_bytes")), try XCTUnwrap(exposition.value("process_resident_memory_bytes")))
        XCTAssertGreaterThan(try XCTUnwrap(exposition.value("process_cpu_seconds_total")), 0)
        XCTAssertGreaterThan(try XCTUnwrap(exposition.value("process_open_fds")), 2, "stdin, stdout, stderr at least")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(exposition.value("process_max_fds")), try XCTUnwrap(exposition.value("process_open_fds")))
        let started = try XCTUnwrap(exposition.value("process_start_time_seconds"))
        // Loose bounds: boot time and the wall clock drift apart when the VM clock pauses.
        XCTAssertGreaterThan(started, 1_600_000_000, "seconds since the epoch, not since boot")
        XCTAssertLessThan(started, Date().timeIntervalSince1970 + 3600, "started in the past")
    }
}

/// A value shared with a `@Sendable` closure.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
