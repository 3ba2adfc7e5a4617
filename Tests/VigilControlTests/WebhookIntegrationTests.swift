import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// Signed CI webhooks end to end: a real `vigil up` with a TCP listener, calls signed with
/// openssl and sent with curl, deploys of a real blue-green fixture, the audit log.
final class WebhookIntegrationTests: XCTestCase {
    private let secret = "hook-secret-\(UUID().uuidString)"

    private struct Answer {
        let status: String
        let body: String
    }

    func testASignedWebhookDeploysAndEveryOtherCallIsRefusedAndAudited() throws {
        let port = try freeTCPPort()
        let vigil = try VigilProcess(extraConfigYAML: """
            control:
              listen: 127.0.0.1:\(port)
              tokens: []
              webhooks:
                - {name: ci, secretFile: hook.secret, services: [web]}
            """)
        try (secret + "\n").write(toFile: vigil.directory.appending("hook.secret"), atomically: true, encoding: .utf8)
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: nil, extraYAML: """
            probes:
              readiness: {http: {path: /ready}, period: 200ms}
            deploy:
              listen: 127.0.0.1:\(try freeTCPPort())
              ports: {blue: \(try freeTCPPort()), green: \(try freeTCPPort())}
            """))
        try vigil.writeManifest("other", fixtureManifest(name: "other", port: try freeTCPPort()))
        try vigil.start()
        XCTAssertNotNil(vigil.waitFor("web") { $0.ready }, vigil.output)

        func hook(_ body: String, to name: String = "ci", delivery: String? = nil, event: String? = nil, key: String? = nil, signed: Bool = true) throws -> Answer {
            let bodyPath = vigil.directory.appending("body-\(UUID().uuidString)")
            try body.write(toFile: bodyPath, atomically: true, encoding: .utf8)
            var headers: [String] = ["-H", "Content-Type: application/json"]
            if signed {
                let sign = try ProcessHandle(executable: "/usr/bin/openssl", arguments: ["dgst", "-sha256", "-hmac", key ?? secret, "-r", bodyPath])
                XCTAssertEqual(sign.waitForExit(), 0, sign.output)
                headers += ["-H", "X-Hub-Signature-256: sha256=\(sign.output.prefix(64))"]
            }
            if let delivery { headers += ["-H", "X-GitHub-Delivery: \(delivery)"] }
            if let event { headers += ["-H", "X-GitHub-Event: \(event)"] }
            let marker = "\nSTATUS:"
            let curl = try ProcessHandle(executable: "/usr/bin/curl", arguments: [
                "-s", "-w", marker + "%{http_code}", "-X", "POST", "--data-binary", "@" + bodyPath, "http://127.0.0.1:\(port)/v1/hooks/\(name)",
            ] + headers)
            XCTAssertEqual(curl.waitForExit(timeout: .seconds(60)), 0, curl.output)
            let parts = curl.output.components(separatedBy: marker)
            return Answer(status: parts.last ?? "", body: parts.dropLast().joined(separator: marker))
        }
        let v2 = #"{"service": "web", "version": "v2"}"#

        let accepted = try hook(v2, delivery: "d-0")
        XCTAssertEqual(accepted.status, "200", accepted.body)
        XCTAssertTrue(accepted.body.contains(#""version":"v2""#), accepted.body)
        XCTAssertNotNil(try vigil.client.send("GET", "/v1/status").decode(StatusReport.self).services.first { $0.name == "web" }?.rollout, "the webhook started a rollout")

        // A delivery that failed (a rollout is in progress) is processed when redelivered; a
        // replay of an accepted one is refused.
        let v3 = #"{"service": "web", "version": "v3"}"#
        let failed = try hook(v3, delivery: "d-1")
        XCTAssertEqual(failed.status, "409", failed.body)
        XCTAssertTrue(failed.body.contains("already in progress"), failed.body)
        let replay = try hook(v2, delivery: "d-0")
        XCTAssertEqual(replay.status, "409")
        XCTAssertTrue(replay.body.contains("delivery d-0 of webhook ci was already deployed"), replay.body)
        // The CLI finds the socket in a vigil.yaml whose webhook names a service only the manifests define.
        let rollback = try vigil.cli(["rollback", "web"])
        XCTAssertEqual(rollback.code, 0, rollback.output)
        let idle = poll(timeout: .seconds(60)) {
            (try? vigil.client.send("GET", "/v1/status").decode(StatusReport.self).services.first { $0.name == "web" }?.rollout) == .some(nil)
        }
        XCTAssertTrue(idle, "the rollback ends the v2 rollout: \(vigil.output)")
        let redelivered = try hook(v3, delivery: "d-1")
        XCTAssertEqual(redelivered.status, "200", redelivered.body)
        XCTAssertTrue(redelivered.body.contains(#""version":"v3""#), redelivered.body)

        XCTAssertEqual(try hook(v2, delivery: "d-2", key: "wrong-secret").status, "401")
        XCTAssertEqual(try hook(v2, delivery: "d-3", signed: false).status, "401")
        XCTAssertEqual(try hook(v2, to: "nope", delivery: "d-4").status, "404")
        let other = try hook(#"{"service": "other", "version": "v2"}"#, delivery: "d-5")
        XCTAssertEqual(other.status, "403", other.body)
        XCTAssertTrue(other.body.contains("webhook ci may not deploy other"), other.body)
        let branch = try hook(#"{"ref": "refs/heads/main"}"#, delivery: "d-6", event: "push")
        XCTAssertEqual(branch.status, "202", branch.body)
        XCTAssertEqual(try hook(#"{"service": "web", "env": ["LD_PRELOAD=/tmp/x.so"]}"#, delivery: "d-7").status, "400", "the env allowlist holds for webhooks")

        let audit = try vigil.client.send("GET", "/v1/audit?limit=100").decode(AuditList.self).audit.filter { $0.endpoint.hasPrefix("/v1/hooks/") }
        XCTAssertEqual(audit.map(\.status), [200, 409, 409, 200, 401, 401, 404, 403, 202, 400], "\(audit.map(\.outcome))")
        XCTAssertEqual(audit.filter { $0.webhook == "ci" }.count, 7, "calls with a valid signature are audited as the webhook")
        XCTAssertTrue(audit.allSatisfy { $0.uid == nil && $0.token == nil })
    }
}
