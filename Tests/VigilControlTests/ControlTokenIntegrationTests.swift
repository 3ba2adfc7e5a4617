import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// The TCP control listener: bearer tokens whose SHA-256 is in `control.tokens`, each with a
/// role; 401 without a known token, 403 beyond its role. A real `vigil up`, the real CLI, curl.
final class ControlTokenIntegrationTests: XCTestCase {
    private let viewerToken = "viewer-token-\(UUID().uuidString)"
    private let operatorToken = "operator-token-\(UUID().uuidString)"
    private let adminToken = "admin-token-\(UUID().uuidString)"

    /// SHA-256 hex as `printf %s TOKEN | sha256sum` prints it.
    private func sha256(_ token: String) throws -> String {
        let handle = try ProcessHandle(executable: "/bin/sh", arguments: ["-c", "printf %s \"$T\" | sha256sum"], environment: ["T": token])
        XCTAssertEqual(handle.waitForExit(), 0)
        return String(handle.output.prefix(64))
    }

    func testEveryRequestNeedsAKnownTokenAndItsRole() throws {
        let port = try freeTCPPort()
        let vigil = try VigilProcess(extraConfigYAML: """
            control:
              listen: 127.0.0.1:\(port)
              tokens:
                - {name: dashboard, sha256: "\(try sha256(viewerToken))", role: viewer}
                - {name: ci, sha256: "\(try sha256(operatorToken).uppercased())", role: operator}
                - {name: ops, sha256: "\(try sha256(adminToken))", role: admin}
            """)
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: try freeTCPPort()))
        try vigil.start()
        func call(_ method: String, _ path: String, token: String?) throws -> (status: String, body: String, headers: String) {
            let marker = "\nSTATUS:"
            let headers = vigil.directory.appending("headers-\(UUID().uuidString)")
            let handle = try ProcessHandle(executable: "/usr/bin/curl", arguments: [
                "-s", "-D", headers, "-w", marker + "%{http_code}", "-X", method, "http://127.0.0.1:\(port)\(path)",
            ] + (token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []))
            XCTAssertEqual(handle.waitForExit(timeout: .seconds(60)), 0, handle.output)
            let parts = handle.output.components(separatedBy: marker)
            return (parts.last ?? "", parts.dropLast().joined(separator: marker), (try? String(contentsOfFile: headers, encoding: .utf8)) ?? "")
        }
        XCTAssertTrue(poll(timeout: .seconds(30)) { (try? call("GET", "/v1/status", token: self.viewerToken).status) == "200" }, vigil.output)

        for token in [nil, "wrong", viewerToken + "x", String(viewerToken.dropLast())] {
            let answer = try call("GET", "/v1/status", token: token)
            XCTAssertEqual(answer.status, "401", "\(token ?? "none"): \(answer.body)")
            XCTAssertTrue(answer.body.hasPrefix(#"{"detail":"#) && answer.body.contains(#""error":"#), answer.body)
            XCTAssertTrue(answer.headers.lowercased().contains("www-authenticate: bearer"), answer.headers)
        }
        XCTAssertEqual(try call("POST", "/v1/services/web/restart", token: nil).status, "401")

        let matrix: [(method: String, path: String, viewer: Bool, operator: Bool)] = [
            ("GET", "/v1/status", true, true), ("GET", "/v1/events?limit=3", true, true), ("GET", "/v1/services/web", true, true),
            ("GET", "/v1/services/web/history", true, true),
            ("POST", "/v1/services/web/restart", false, true), ("POST", "/v1/services/web/promote", false, true),
            ("POST", "/v1/services/web/stop", false, true), ("POST", "/v1/services/web/start", false, true),
            ("POST", "/v1/reload", false, false), ("GET", "/v1/audit", false, false), ("POST", "/v1/reclaim", false, false),
        ]
        for call_ in matrix {
            for (token, allowed) in [(viewerToken, call_.viewer), (operatorToken, call_.operator), (adminToken, true)] {
                let status = try call(call_.method, call_.path, token: token).status
                if allowed {
                    XCTAssertNotEqual(status, "403", "\(call_.method) \(call_.path)")
                    XCTAssertNotEqual(status, "401")
                } else {
                    XCTAssertEqual(status, "403", "\(call_.method) \(call_.path)")
                }
            }
        }

        // The real CLI over TCP, token from the environment.
        let cli = try ProcessHandle(executable: try BuiltProducts.vigil, arguments: ["status", "--control", "http://127.0.0.1:\(port)"], environment: ["VIGIL_TOKEN": viewerToken])
        XCTAssertEqual(cli.waitForExit(timeout: .seconds(60)), 0, cli.output)
        XCTAssertTrue(cli.output.contains("web"), cli.output)

        let audit = try vigil.client.send("GET", "/v1/audit?limit=1000").decode(AuditList.self).audit
        XCTAssertTrue(audit.contains { $0.token == "ci" && $0.role == "operator" && $0.endpoint == "/v1/services/web/restart" && $0.status == 200 }, "\(audit)")
        XCTAssertTrue(audit.contains { $0.token == "dashboard" && $0.endpoint == "/v1/services/web/restart" && $0.status == 403 })
        XCTAssertTrue(audit.contains { $0.token == nil && $0.uid == nil && $0.status == 401 }, "an unauthenticated change is audited too")
        XCTAssertFalse(audit.contains { $0.arguments?.contains(self.operatorToken) == true || $0.outcome.contains(self.operatorToken) })
    }
}
