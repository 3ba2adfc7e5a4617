import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// `/metrics` end to end: a real `vigil up` supervising real `vigil-fixture` services, scraped
/// over HTTP on a free loopback port, checked against what the fixtures did and by promtool.
/// Conditions are polled with generous timeouts; nothing asserts how fast anything happened.
final class MetricsIntegrationTests: XCTestCase {
    private func startVigil(metricsPort: UInt16, manifests: [String: String]) throws -> VigilProcess {
        let vigil = try VigilProcess(extraConfigYAML: "metrics: {listen: 127.0.0.1:\(metricsPort)}")
        for (name, yaml) in manifests { try vigil.writeManifest(name, yaml) }
        try vigil.start()
        return vigil
    }

    private func scrape(_ port: UInt16) -> Exposition? {
        guard let response = SimpleHTTP.request(method: "GET", port: port, path: "/metrics", timeout: .seconds(10)),
              response.status == 200 else { return nil }
        return try? Exposition(response.body)
    }

    /// Scrapes until `condition` holds; the last exposition either way (nil if none answered).
    private func scrape(_ port: UInt16, until condition: (Exposition) -> Bool) -> Exposition? {
        var last: Exposition?
        _ = poll(timeout: .seconds(45), interval: .milliseconds(200)) {
            last = scrape(port) ?? last
            return last.map(condition) ?? false
        }
        return last
    }

    func testScrapeShowsRestartsByReasonDeathsProbeFailuresMemoryAndPassesPromtool() throws {
        let metricsPort = try freeTCPPort()
        let vigil = try startVigil(metricsPort: metricsPort, manifests: [
            "steady": try fixtureManifest(name: "steady", port: try freeTCPPort(), extraYAML: """
                probes:
                  liveness: {http: {path: /health}, period: 200ms}
                """),
            "crashy": try fixtureManifest(name: "crashy", port: try freeTCPPort(), extraArgs: ["--crash-after", "300ms"], extraYAML: """
                restart: {backoff: {initial: 100ms, max: 1s}}
                """),
            "once": try fixtureManifest(name: "once", port: try freeTCPPort(), extraArgs: ["--crash-after", "300ms"], extraYAML: """
                restart: {policy: never}
                """),
            "sick": try fixtureManifest(name: "sick", port: try freeTCPPort(), extraArgs: ["--fail-health"], extraYAML: """
                probes:
                  readiness: {http: {path: /health}, period: 200ms, failureThreshold: 1}
                """),
        ])

        XCTAssertTrue(poll { SimpleHTTP.get(port: metricsPort, path: "/metrics")?.status == 200 }, "no /metrics on \(metricsPort): \(vigil.output)")
        let response = try XCTUnwrap(SimpleHTTP.request(method: "GET", port: metricsPort, path: "/metrics"))
        XCTAssertEqual(response.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        XCTAssertEqual(listeningTCPPorts(of: try XCTUnwrap(vigil.process?.pid)), [metricsPort], "Vigil listens on metrics.listen only")

        XCTAssertNotNil(vigil.waitFor("steady") { $0.state == "ready" }, vigil.output)
        let restart = try vigil.cli(["restart", "steady"])
        XCTAssertEqual(restart.code, 0, restart.output)

        let exposition = try XCTUnwrap(scrape(metricsPort) { exposition in
            (exposition.value("vigil_service_restarts_total", ["service": "steady", "reason": "manual"]) ?? 0) >= 1
                && (exposition.value("vigil_service_restarts_total", ["service": "crashy", "reason": "exit"]) ?? 0) >= 1
                && exposition.value("vigil_service_state", ["service": "once", "state": "failed"]) == 1
                && (exposition.value("vigil_probe_failures_total", ["service": "sick", "probe": "readiness"]) ?? 0) >= 3
                && (exposition.value("vigil_probe_duration_seconds_count", ["service": "steady", "probe": "liveness"]) ?? 0) >= 2
                && (exposition.value("vigil_process_resident_memory_bytes", ["service": "steady", "color": "default"]) ?? 0) > 0
                && exposition.value("vigil_service_up", ["service": "steady", "color": "default"]) == 1
        }, "no scrape answered: \(vigil.output)")
        func value(_ name: String, _ labels: [String: String]) -> Double? { exposition.value(name, labels) }

        XCTAssertEqual(value("vigil_service_restarts_total", ["service": "steady", "reason": "manual"]), 1, "one `vigil restart`")
        XCTAssertEqual(value("vigil_service_restarts_total", ["service": "steady", "reason": "exit"]), 0)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(value("vigil_service_restarts_total", ["service": "crashy", "reason": "exit"])), 1, "a crash is a restart for reason exit")
        XCTAssertEqual(value("vigil_service_restarts_total", ["service": "crashy", "reason": "manual"]), 0)

        XCTAssertEqual(value("vigil_service_up", ["service": "once", "color": "default"]), 0, "dead with policy never")
        XCTAssertEqual(value("vigil_service_state", ["service": "once", "state": "failed"]), 1)
        XCTAssertEqual(exposition.samples("vigil_service_state", ["service": "once"]).map(\.value).reduce(0, +), 1, "one-hot")
        XCTAssertEqual(value("vigil_service_restarts_total", ["service": "once", "reason": "exit"]), 0, "policy never does not restart")

        XCTAssertGreaterThanOrEqual(try XCTUnwrap(value("vigil_probe_failures_total", ["service": "sick", "probe": "readiness"])), 3)
        XCTAssertEqual(value("vigil_service_ready", ["service": "sick", "color": "default"]), 0)
        XCTAssertEqual(value("vigil_service_up", ["service": "sick", "color": "default"]), 1, "readiness never kills")
        // A check right after a spawn may fail (the fixture is not listening yet); most pass.
        let steadyChecks = try XCTUnwrap(value("vigil_probe_duration_seconds_count", ["service": "steady", "probe": "liveness"]))
        XCTAssertLessThan(try XCTUnwrap(value("vigil_probe_failures_total", ["service": "steady", "probe": "liveness"])), steadyChecks, "a healthy probe mostly passes")

        XCTAssertEqual(value("vigil_service_up", ["service": "steady", "color": "default"]), 1)
        XCTAssertGreaterThan(try XCTUnwrap(value("vigil_process_resident_memory_bytes", ["service": "steady", "color": "default"])), 100_000)
        XCTAssertNotNil(value("vigil_process_cpu_seconds_total", ["service": "steady", "color": "default"]))
        let steadyState = try XCTUnwrap(vigil.instance("steady")).state
        XCTAssertEqual(value("vigil_service_state", ["service": "steady", "state": steadyState]), 1, "the state the control API reports")

        XCTAssertEqual(exposition.samples("vigil_build_info").count, 1)
        XCTAssertGreaterThan(try XCTUnwrap(value("process_resident_memory_bytes", [:])), 1_000_000, "Vigil's own memory")
        XCTAssertGreaterThan(try XCTUnwrap(value("process_open_fds", [:])), 3)
        try assertPromtoolClean(exposition.text)
    }

    /// A service over `memory.high` shows up as a restart with reason `memory`, beside the limits.
    func testMemoryLimitsAndMemoryRestartsAreExported() throws {
        let metricsPort = try freeTCPPort()
        let vigil = try startVigil(metricsPort: metricsPort, manifests: [
            "leaky": try fixtureManifest(name: "leaky", port: try freeTCPPort(), extraArgs: ["--grow-memory", "20Mi"], extraYAML: """
                resources: {memory: {high: 64Mi, max: 1Gi}}
                restart: {backoff: {initial: 100ms}}
                """),
            "plain": try fixtureManifest(name: "plain", port: try freeTCPPort()),
        ])
        let exposition = try XCTUnwrap(scrape(metricsPort) { exposition in
            (exposition.value("vigil_service_restarts_total", ["service": "leaky", "reason": "memory"]) ?? 0) >= 1
        }, "no scrape answered: \(vigil.output)")
        XCTAssertEqual(exposition.value("vigil_service_memory_limit_bytes", ["service": "leaky", "color": "default", "kind": "high"]), Double(64 << 20))
        XCTAssertEqual(exposition.value("vigil_service_memory_limit_bytes", ["service": "leaky", "color": "default", "kind": "max"]), Double(1 << 30))
        XCTAssertEqual(exposition.samples("vigil_service_memory_limit_bytes", ["service": "plain"]).count, 0, "no series without a limit")
        XCTAssertEqual(exposition.value("vigil_service_restarts_total", ["service": "plain", "reason": "memory"]), 0)
        try assertPromtoolClean(exposition.text)
    }

    func testServicesRemovedByAReloadDisappearFromTheOutput() throws {
        let metricsPort = try freeTCPPort()
        let probed = """
            probes:
              liveness: {http: {path: /health}, period: 200ms}
            """
        let vigil = try startVigil(metricsPort: metricsPort, manifests: [
            "keep": try fixtureManifest(name: "keep", port: try freeTCPPort(), extraYAML: probed),
            "gone": try fixtureManifest(name: "gone", port: try freeTCPPort(), extraYAML: probed),
        ])
        let before = try XCTUnwrap(scrape(metricsPort) { exposition in
            (exposition.value("vigil_probe_duration_seconds_count", ["service": "gone", "probe": "liveness"]) ?? 0) >= 1
        }, vigil.output)
        XCTAssertEqual(before.value("vigil_service_up", ["service": "gone", "color": "default"]), 1)

        try FileManager.default.removeItem(atPath: "\(vigil.manifestsDir)/gone.yaml")
        let reload = try vigil.cli(["reload"])
        XCTAssertEqual(reload.code, 0, reload.output)

        let after = try XCTUnwrap(scrape(metricsPort))
        XCTAssertEqual(after.samples.filter { $0.labels["service"] == "gone" }, [], "every series of the removed service is gone")
        XCTAssertEqual(after.value("vigil_service_up", ["service": "keep", "color": "default"]), 1)
        XCTAssertNotNil(after.value("vigil_probe_failures_total", ["service": "keep", "probe": "liveness"]))
        try assertPromtoolClean(after.text)
    }

    func testTheBuiltinRoutersSwiftMetricsLandInTheSameExposition() throws {
        let metricsPort = try freeTCPPort()
        let (listen, blue, green) = (try freeTCPPort(), try freeTCPPort(), try freeTCPPort())
        let vigil = try startVigil(metricsPort: metricsPort, manifests: [
            "web": try fixtureManifest(name: "web", port: nil, extraYAML: """
                probes:
                  readiness: {http: {path: /ready}, period: 200ms}
                deploy:
                  strategy: blueGreen
                  listen: 127.0.0.1:\(listen)
                  ports: {blue: \(blue), green: \(green)}
                  router: builtin
                """),
        ])
        XCTAssertTrue(poll(timeout: .seconds(45)) { SimpleHTTP.get(port: listen, path: "/")?.status == 200 }, "the router should serve web: \(vigil.output)")
        var answered = 1
        for _ in 0..<4 where SimpleHTTP.get(port: listen, path: "/")?.status == 200 { answered += 1 }

        let exposition = try XCTUnwrap(scrape(metricsPort) { exposition in
            (exposition.value("vigil_router_requests_total", ["service": "web", "color": "blue", "code_class": "2xx"]) ?? 0) >= Double(answered)
        }, vigil.output)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(exposition.value("vigil_router_request_duration_seconds_count", ["service": "web", "color": "blue"])), Double(answered))
        XCTAssertEqual(exposition.types["vigil_router_request_duration_seconds"], "histogram")
        XCTAssertEqual(exposition.help["vigil_router_requests_total"], "Requests the builtin router proxied, by color and status class.")
        XCTAssertEqual(exposition.value("vigil_traffic_weight", ["service": "web", "color": "blue"]), 100)
        XCTAssertEqual(exposition.value("vigil_service_up", ["service": "web", "color": "blue"]), 1)
        try assertPromtoolClean(exposition.text)
    }

    func testWithoutAMetricsSectionVigilListensOnNoTCPPort() throws {
        let vigil = try VigilProcess()
        try vigil.writeManifest("web", try fixtureManifest(name: "web", port: try freeTCPPort()))
        try vigil.start()
        XCTAssertNotNil(vigil.waitFor("web") { $0.pid != nil }, vigil.output)
        XCTAssertEqual(listeningTCPPorts(of: try XCTUnwrap(vigil.process?.pid)), [], "no metrics section, no listener")
    }

    func testAnOccupiedMetricsPortStopsVigilWithAMessageNamingTheSetting() throws {
        let occupant = try LoopbackHTTPServer { _ in .respond(status: 200, headers: [:], body: []) }
        defer { occupant.stop() }
        let servicePort = try freeTCPPort()
        let vigil = try VigilProcess(extraConfigYAML: "metrics: {listen: 127.0.0.1:\(occupant.port)}")
        try vigil.writeManifest("web", try fixtureManifest(name: "web", port: servicePort))
        let up = try ProcessHandle(executable: try BuiltProducts.vigil, arguments: ["up", "--config", vigil.configPath])
        XCTAssertEqual(up.waitForExit(timeout: .seconds(60)), 1, up.output)
        XCTAssertTrue(up.output.contains("metrics.listen"), up.output)
        XCTAssertTrue(up.output.contains("127.0.0.1:\(occupant.port)"), up.output)
        XCTAssertNil(SimpleHTTP.get(port: servicePort, path: "/health", timeout: .seconds(2)), "the service Vigil started is stopped again")
    }
}
