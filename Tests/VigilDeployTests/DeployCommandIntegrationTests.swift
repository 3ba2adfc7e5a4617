import Foundation
import VigilControl
import VigilDeploy
import VigilSupervisor
import VigilTestKit
import XCTest

/// Rollouts end to end: a real `vigil up`, `vigil-fixture` colors behind the builtin router on
/// loopback, the real CLI. Conditions are polled with generous timeouts; no upper bound on time
/// is asserted.
final class DeployCommandIntegrationTests: XCTestCase {
    struct Ports {
        let listen: UInt16, blue: UInt16, green: UInt16
        init() throws {
            listen = try freeTCPPort()
            blue = try freeTCPPort()
            green = try freeTCPPort()
        }
    }

    /// A blue-green fixture service with fast probes and short rollout timings.
    func startVigil(_ ports: Ports, progressDeadline: String = "30s") throws -> VigilProcess {
        let vigil = try VigilProcess()
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: nil, extraYAML: """
            probes:
              readiness: {http: {path: /ready}, period: 200ms, failureThreshold: 2}
            deploy:
              listen: 127.0.0.1:\(ports.listen)
              ports: {blue: \(ports.blue), green: \(ports.green)}
              analysis: {interval: 300ms, window: 1s, minRequests: 5}
              drainTimeout: 2s
              scaleDownDelay: 1s
              progressDeadline: \(progressDeadline)
              overridableEnv: [FIXTURE_ARGS]
            """))
        try vigil.start()
        let up = poll(timeout: .seconds(30)) { (try? self.service(vigil))?.instances.first?.ready == true }
        XCTAssertTrue(up, "blue should come up: \(vigil.output)")
        return vigil
    }

    func service(_ vigil: VigilProcess) throws -> ServiceStatus? {
        try vigil.status().services.first { $0.name == "web" }
    }

    /// `GET /` through the router: which color and version answered.
    func identity(_ ports: Ports) -> (color: String, version: String)? {
        guard let answer = SimpleHTTP.get(port: ports.listen, path: "/"), answer.status == 200,
              let object = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
              let color = object["color"] as? String, let version = object["version"] as? String
        else { return nil }
        return (color, version)
    }

    func history(_ vigil: VigilProcess) throws -> HistoryReport {
        try vigil.client.send("GET", "/v1/services/web/history").decode(HistoryReport.self)
    }

    func testAGoodRevisionIsPromotedUnderLoadAndTheNewColorServes() throws {
        let ports = try Ports()
        let vigil = try startVigil(ports)
        XCTAssertEqual(identity(ports)?.color, "blue")
        XCTAssertEqual(try service(vigil)?.activeColor, "blue")

        let load = LoopbackLoad(port: ports.listen, connections: 2, maxDuration: .seconds(90))
        load.start()
        let deploy = try vigil.cli(["deploy", "web", "--version", "v2", "--wait", "--timeout", "60s"], timeout: .seconds(90))
        let counts = load.stop()
        XCTAssertEqual(deploy.code, 0, deploy.output)
        for expected in ["rolling out", "analyzing", "verifying", "green 100% / blue 0%", "promoted on green"] {
            XCTAssertTrue(deploy.output.contains(expected), "'\(expected)' missing from:\n\(deploy.output)")
        }
        XCTAssertEqual(identity(ports)?.color, "green")
        XCTAssertEqual(identity(ports)?.version, "v2")
        let status = try XCTUnwrap(try service(vigil))
        XCTAssertEqual(status.activeColor, "green")
        XCTAssertEqual(status.version, "v2")
        XCTAssertTrue(status.revision?.hasPrefix("r-") == true)
        XCTAssertTrue(poll { (try? self.service(vigil))?.instances.map(\.color) == ["green"] }, "blue stops after scaleDownDelay")
        XCTAssertGreaterThan(counts.succeeded, 0, "the load reached the router")
        XCTAssertEqual(counts.failed, 0, "no request may fail during a blue-green switch: \(counts.failureSummary)")

        let history = try history(vigil)
        XCTAssertEqual(history.rollouts.first?.result, .promoted)
        XCTAssertEqual(history.active?.version, "v2")
        let events = try vigil.events(service: "web")
        XCTAssertTrue(events.contains { $0.kind == .rolloutStarted })
        XCTAssertTrue(events.contains { $0.kind == .promoted })
    }

    func testARevisionThatNeverBecomesReadyIsRolledBackWithTheReason() throws {
        let ports = try Ports()
        let vigil = try startVigil(ports, progressDeadline: "3s")
        let deploy = try vigil.cli(["deploy", "web", "--version", "bad", "--env", "FIXTURE_ARGS=--not-ready", "--wait"], timeout: .seconds(90))
        XCTAssertEqual(deploy.code, 3, deploy.output)
        XCTAssertTrue(deploy.output.contains("rolled back: green"), deploy.output)
        XCTAssertTrue(deploy.output.contains("was not ready within progressDeadline 3s"), deploy.output)
        XCTAssertEqual(identity(ports)?.color, "blue", "blue kept the traffic")
        let status = try XCTUnwrap(try service(vigil))
        XCTAssertEqual(status.activeColor, "blue")
        XCTAssertNil(status.rollout)
        XCTAssertTrue(poll { (try? self.service(vigil))?.instances.map(\.color) == ["blue"] }, "green is stopped")
        let last = try XCTUnwrap(try history(vigil).rollouts.first)
        XCTAssertEqual(last.result, .rolledBack)
        XCTAssertEqual(last.phase, .rolledBack)
        XCTAssertTrue(try vigil.events(service: "web").contains { $0.kind == .rolledBack && $0.reason == "deadline" })
    }

    func testDeployRequestsThatCannotStartAreRefusedWithAReason() throws {
        let ports = try Ports()
        let vigil = try startVigil(ports)
        let badEnv = try vigil.cli(["deploy", "web", "--env", "NO_EQUALS"])
        XCTAssertEqual(badEnv.code, 1)
        XCTAssertTrue(badEnv.output.contains("HTTP 400") && badEnv.output.contains("NAME=VALUE"), badEnv.output)
        let unknown = try vigil.cli(["deploy", "nope"])
        XCTAssertTrue(unknown.output.contains("HTTP 404"), unknown.output)
        let promote = try vigil.cli(["promote", "web"])
        XCTAssertTrue(promote.output.contains("HTTP 409") && promote.output.contains("nothing to promote"), promote.output)
        let rollback = try vigil.cli(["rollback", "web"])
        XCTAssertTrue(rollback.output.contains("HTTP 409") && rollback.output.contains("nothing to roll back to"), rollback.output)

        let slow = try vigil.cli(["deploy", "web", "--version", "v2", "--env", "FIXTURE_ARGS=--ready-after 3s"])
        XCTAssertEqual(slow.code, 0, slow.output)
        let second = try vigil.cli(["deploy", "web", "--version", "v3"])
        XCTAssertEqual(second.code, 1)
        XCTAssertTrue(second.output.contains("HTTP 409") && second.output.contains("already in progress"), second.output)
    }

    func testWithoutTrafficAnInconclusiveVerificationPromotesAtTheDeadline() throws {
        let ports = try Ports()
        let vigil = try startVigil(ports, progressDeadline: "4s")
        let deploy = try vigil.cli(["deploy", "web", "--version", "v2", "--wait"], timeout: .seconds(90))
        XCTAssertEqual(deploy.code, 0, deploy.output)
        XCTAssertTrue(deploy.output.contains("without a conclusive one"), deploy.output)
        for phase in ["starting", "analyzing", "verifying", "draining", "warm", "completed"] {
            XCTAssertTrue(deploy.output.contains("  \(phase) ("), "phase \(phase) not streamed:\n\(deploy.output)")
        }
    }

    func testVigilKilledAfterAPromotionBringsBackTheRecordedRevisionAlone() throws {
        let ports = try Ports()
        let vigil = try startVigil(ports, progressDeadline: "4s")
        let deploy = try vigil.cli(["deploy", "web", "--version", "v2", "--wait"], timeout: .seconds(90))
        XCTAssertEqual(deploy.code, 0, deploy.output)
        XCTAssertTrue(poll { (try? self.service(vigil))?.instances.map(\.color) == ["green"] })
        let before = try XCTUnwrap(try service(vigil))

        vigil.process?.terminate(signal: SIGKILL)
        XCTAssertNotNil(vigil.process?.waitForExit(timeout: .seconds(10)))
        try vigil.start()
        XCTAssertTrue(poll(timeout: .seconds(30)) { (try? self.service(vigil))?.instances.first?.ready == true })
        let after = try XCTUnwrap(try service(vigil))
        XCTAssertEqual(after.activeColor, "green")
        XCTAssertEqual(after.revision, before.revision)
        XCTAssertEqual(after.version, "v2")
        XCTAssertEqual(after.instances.map(\.color), ["green"], "exactly one color runs")
        XCTAssertEqual(identity(ports)?.version, "v2")
        let oldPid = try XCTUnwrap(before.instances.first?.pid)
        XCTAssertTrue(poll { !isProcessAlive(pid: oldPid) }, "the killed Vigil's green process was reaped, not duplicated")
    }
}
