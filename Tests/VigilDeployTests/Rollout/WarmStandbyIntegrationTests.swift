import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// `deploy.standby: warm` on a real `vigil up` with `vigil-fixture` behind the builtin router: the
/// idle color runs the active revision with weight 0, takes all traffic the moment the active
/// color dies, gives it back once that one is ready again, and after a rollout or a rollback the
/// color that was retired comes back as the standby with the active revision.
final class WarmStandbyIntegrationTests: XCTestCase {
    func testKillingTheActiveColorFailsOverToTheStandbyAndBack() throws {
        let metricsPort = try freeTCPPort()
        // Every start of the revision takes 8s to be ready: the restarted blue stays out of
        // service long enough to watch the standby serve.
        let harness = try Self.startedWarm(extraConfigYAML: "metrics: {listen: 127.0.0.1:\(metricsPort)}") { $0.env = ["READY_AFTER": "8s"] }
        let standby = try XCTUnwrap(Self.waitForWarmStandby(harness, active: "blue", version: firstVersion))
        XCTAssertEqual(standby.standby, StandbyStatus(color: "green", serving: false), "\(standby)")
        XCTAssertEqual(Self.trafficWeights(metricsPort: metricsPort), ["blue": 100, "green": 0])
        let before = harness.batch(200)
        XCTAssertEqual(before.failed, 0, before.failureSummary)
        XCTAssertEqual(before.byColor, ["blue": 200], "the standby gets no traffic while the active color is ready")

        let connections = 4
        let load = harness.startLoad(connections: connections, maxDuration: .seconds(120), maxRequests: 200_000)
        XCTAssertTrue(poll(timeout: .seconds(30)) { load.snapshot.succeeded >= 200 }, "the load runs: \(load.snapshot.failureSummary)")
        let activePid = try XCTUnwrap(standby.instances.first { $0.color == "blue" }?.pid)
        let standbyPid = try XCTUnwrap(standby.instances.first { $0.color == "green" }?.pid)
        let atKill = load.snapshot
        let killedAt = Date()
        XCTAssertEqual(kill(activePid, SIGKILL), 0)

        let failedOver = harness.waitForStatus { $0.standby?.serving == true }
        XCTAssertNotNil(failedOver, "green takes the traffic: \((try? harness.status()).map { "\($0)" } ?? "")")
        XCTAssertEqual(Self.servingPid(harness), standbyPid, "the standby's process (pid \(standbyPid)) answers")
        // Once traffic is on the standby, nothing fails, and the standby's process answers.
        let afterFailover = load.snapshot
        XCTAssertTrue(poll(timeout: .seconds(30)) { load.snapshot.since(afterFailover).succeeded >= 200 })
        let onStandby = load.snapshot.since(afterFailover)
        XCTAssertEqual(onStandby.failed, 0, "after the failover: \(onStandby.failureSummary)")
        XCTAssertEqual(onStandby.byColor["blue"] ?? 0, 0, "only the standby answers while blue is down: \(onStandby.byColor)")
        XCTAssertEqual(failedOver?.activeColor, "blue", "the recorded active color does not change")

        // The active color is restarted by its policy; once ready, traffic returns to it.
        let back = harness.waitForStatus { status in
            status.standby?.serving == false && status.instances.contains { $0.color == "blue" && $0.ready && $0.pid != activePid }
        }
        XCTAssertNotNil(back, "blue is back and serving: \((try? harness.status()).map { "\($0)" } ?? "")")
        let total = load.stop().since(atKill)
        print("warm standby: \(total.total) requests from the kill of pid \(activePid) to the end, \(total.failed) failed; by color \(total.byColor)")
        // Nothing fails: in the milliseconds before Vigil sees the exit (the failover is recorded
        // 2-24ms after the kill), the router sends the GETs that were on blue when it died, and
        // those that reach its closed port, to the standby, the table's retry fallback. Measured:
        // 0 in 10 runs with 4 connections, against 3-7 (4 in 3 runs) before the fallback.
        XCTAssertEqual(total.failed, 0, "the standby answers what blue refused or dropped: \(total.failureSummary)")
        XCTAssertGreaterThan(total.byColor["green"] ?? 0, 0, "green served while blue was down")

        let after = harness.batch(200)
        XCTAssertEqual(after.failed, 0, after.failureSummary)
        XCTAssertEqual(after.byColor, ["blue": 200], "traffic is back on the active color")
        XCTAssertEqual(Self.trafficWeights(metricsPort: metricsPort), ["blue": 100, "green": 0])

        let events = try harness.vigil.events(service: harness.service).filter { $0.time >= killedAt }
        let failover = try XCTUnwrap(events.first { $0.kind == .failover }, "a failover event: \(events.map(\.message))")
        XCTAssertEqual(failover.color, "green")
        XCTAssertNotNil(failover.reason, "the active color's state says why")
        let failback = try XCTUnwrap(events.first { $0.kind == .failback && $0.time >= failover.time }, "a failback event: \(events.map(\.message))")
        XCTAssertEqual(failback.color, "blue")
        XCTAssertEqual(failback.reason, "ready")
        print("warm standby: failover recorded \(Int(failover.time.timeIntervalSince(killedAt) * 1000)) ms after the kill (\(failover.message))")
    }

    func testAfterADeployTheOldColorIsTheStandbyWithTheNewRevision() throws {
        let harness = try Self.startedWarm()
        XCTAssertNotNil(Self.waitForWarmStandby(harness, active: "blue", version: firstVersion))

        // Analysis judges the router's stats: a light load lets the verification conclude.
        let load = harness.startLoad(connections: 2)
        let deploy = try harness.deploy("v2")
        let during = load.stop()
        XCTAssertEqual(deploy.code, 0, deploy.output)
        XCTAssertEqual(during.failed, 0, "the rollout replaces the standby without a failed request: \(during.failureSummary)")
        let settled = Self.waitForWarmStandby(harness, active: "green", version: "v2")
        XCTAssertEqual(settled?.standby, StandbyStatus(color: "blue", serving: false), "\(String(describing: settled))")
        XCTAssertEqual(harness.lastRollout()?.result, "promoted")
        let served = harness.batch(200)
        XCTAssertEqual(served.failed, 0, served.failureSummary)
        XCTAssertEqual(served.byColor, ["green": 200], "the standby gets no traffic")
        XCTAssertEqual(served.byVersion, ["v2": 200])
    }

    func testAfterARollbackTheFailedColorIsTheStandbyWithTheActiveRevision() throws {
        let harness = try Self.startedWarm()
        XCTAssertNotNil(Self.waitForWarmStandby(harness, active: "blue", version: firstVersion))

        let deploy = try harness.deploy("v2", env: ["CRASH_AFTER": "1s", "READY_AFTER": "0ms"])
        XCTAssertEqual(deploy.code, 3, deploy.output)
        harness.assertRolledBack(because: "crashed")
        let settled = Self.waitForWarmStandby(harness, active: "blue", version: firstVersion)
        XCTAssertEqual(settled?.standby, StandbyStatus(color: "green", serving: false), "\(String(describing: settled))")
        harness.assertServes(firstVersion)
    }

    func testADeployDuringAFailoverFirstGivesTheTrafficBackToTheActiveColor() throws {
        // The manifest's revision takes 8s to be ready, so a killed blue stays out of service
        // while the deploy starts; v2 is ready at once. No load: the verification is promoted
        // at the (short) progress deadline.
        let harness = try Self.startedWarm { options in
            options.env = ["READY_AFTER": "8s"]
            options.progressDeadline = "15s"
        }
        let standby = try XCTUnwrap(Self.waitForWarmStandby(harness, active: "blue", version: firstVersion))
        let activePid = try XCTUnwrap(standby.instances.first { $0.color == "blue" }?.pid)
        XCTAssertEqual(kill(activePid, SIGKILL), 0)
        XCTAssertNotNil(harness.waitForStatus { $0.standby?.serving == true }, "green takes the traffic")

        let deploy = try harness.deploy("v2", env: ["READY_AFTER": "0ms"])
        XCTAssertEqual(deploy.code, 0, deploy.output)
        let events = try harness.vigil.events(service: harness.service)
        let failback = try XCTUnwrap(events.last { $0.kind == .failback }, "\(events.map(\.message))")
        XCTAssertEqual(failback.reason, "rollout", failback.message)
        let started = try XCTUnwrap(events.last { $0.kind == .rolloutStarted })
        XCTAssertLessThan(try XCTUnwrap(failback.id), try XCTUnwrap(started.id), "traffic is back on blue before the rollout replaces green")
        XCTAssertNil(events.first { $0.kind == .failover && ($0.id ?? 0) > (failback.id ?? 0) }, "no failover fights the rollout: \(events.map(\.message))")

        let settled = Self.waitForWarmStandby(harness, active: "green", version: "v2")
        XCTAssertEqual(settled?.standby, StandbyStatus(color: "blue", serving: false), "\(String(describing: settled))")
        harness.assertServes("v2")
    }

    // MARK: - Helpers

    /// A started harness whose manifest says `standby: warm` (the last key of its deploy section).
    private static func startedWarm(extraConfigYAML: String = "", _ configure: (inout BlueGreenOptions) -> Void = { _ in }) throws -> BlueGreenHarness {
        var options = BlueGreenOptions()
        configure(&options)
        let harness = try BlueGreenHarness(options: options, extraConfigYAML: extraConfigYAML)
        let yaml = try BlueGreenManifest.yaml(
            service: harness.service, listen: harness.listenPort, blue: harness.ports["blue"]!, green: harness.ports["green"]!,
            marker: harness.marker, options: options
        )
        try harness.vigil.writeManifest(harness.service, yaml + "  standby: warm\n")
        try harness.start()
        return harness
    }

    /// Waits until `active` serves `version`, no rollout runs, both colors are ready, and exactly
    /// two fixture processes run (one a color), both of `version`.
    private static func waitForWarmStandby(_ harness: BlueGreenHarness, active: String, version: String) -> ServiceStatus? {
        let status = harness.waitForStatus(timeout: .seconds(90)) { status in
            let finished = status.rollout.map { ["completed", "rolled_back", "aborted"].contains($0.phase) } ?? true
            let processes = harness.fixtures
            return finished && status.activeColor == active && status.standby != nil
                && status.instances.count == 2 && status.instances.allSatisfy(\.ready)
                && processes.count == 2 && Set(processes.compactMap(\.color)) == ["blue", "green"]
                && processes.allSatisfy { $0.version == version }
        }
        if status == nil {
            XCTFail("no warm standby of \(version) beside \(active): \((try? harness.status()).map { "\($0)" } ?? "no status"); processes \(harness.fixtures)")
        }
        return status
    }

    /// The pid the fixture behind the router reports for `GET /`.
    private static func servingPid(_ harness: BlueGreenHarness) -> Int32? {
        guard let response = SimpleHTTP.get(port: harness.listenPort, path: "/"), response.status == 200,
              let fields = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
        else { return nil }
        return (fields["pid"] as? NSNumber)?.int32Value
    }

    /// `vigil_traffic_weight{color}` of the service, from `/metrics`.
    private static func trafficWeights(metricsPort: UInt16, service: String = "web") -> [String: Int] {
        guard let response = SimpleHTTP.get(port: metricsPort, path: "/metrics"), response.status == 200,
              let exposition = try? Exposition(response.body)
        else { return [:] }
        let samples = exposition.samples("vigil_traffic_weight", ["service": service])
        return Dictionary(samples.compactMap { sample in sample.labels["color"].map { ($0, Int(sample.value)) } }, uniquingKeysWith: { $1 })
    }
}
