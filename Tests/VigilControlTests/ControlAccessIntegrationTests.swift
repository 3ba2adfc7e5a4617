import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// Who may do what on the control socket, end to end: a real `vigil up`, callers that are root,
/// unprivileged users (privileges dropped with setpriv) and a process Vigil supervises, the
/// real CLI and curl, and the audit log in the real vigil.db.
final class ControlAccessIntegrationTests: XCTestCase {
    override class func setUp() {
        super.setUp()
        do { try TestAccounts.create() } catch { XCTFail("\(error)") }
    }

    override class func tearDown() {
        TestAccounts.remove()
        super.tearDown()
    }

    /// A Vigil whose state dir (and so its socket) belongs to the group every test user is in,
    /// with `control.roles` mapping the operator group and the viewer user.
    private func startVigil(manifests: [String: String] = [:]) throws -> VigilProcess {
        let vigil = try VigilProcess(extraConfigYAML: """
            control:
              roles:
                - {group: \(TestAccounts.operatorGroup), role: operator}
                - {user: \(TestAccounts.viewerUser), role: viewer}
            """)
        // The test users must traverse the temporary directory; the state dir is group-only.
        chmod(vigil.directory.path, 0o711)
        mkdir(vigil.stateDir, 0o750)
        chown(vigil.stateDir, 0, try XCTUnwrap(TestAccounts.gid(TestAccounts.socketGroup)))
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: try freeTCPPort()))
        for (name, yaml) in manifests { try vigil.writeManifest(name, yaml) }
        try vigil.start()
        return vigil
    }

    func testTheSocketHasMode0660AndTheGroupOfItsDirectoryBeforeAnyoneCanReachIt() throws {
        let vigil = try startVigil()
        var info = stat()
        XCTAssertEqual(stat(vigil.socketPath, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFSOCK)
        XCTAssertEqual(info.st_mode & 0o7777, 0o660, String(info.st_mode & 0o7777, radix: 8))
        XCTAssertEqual(info.st_gid, TestAccounts.gid(TestAccounts.socketGroup), "the socket takes the group of its directory")
        XCTAssertEqual(info.st_uid, 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: vigil.stateDir).filter { $0.hasSuffix(".bind") }
        XCTAssertEqual(leftovers, [], "the private directory the socket was bound in is gone")
    }

    /// Each role on each endpoint: allowed (any answer but 403) or 403 with JSON.
    func testEveryRoleOnEveryEndpointOverTheSocket() throws {
        let vigil = try startVigil()
        XCTAssertNotNil(vigil.waitFor("web") { $0.state == "ready" })
        let calls: [(method: String, path: String, needs: String)] = [
            ("GET", "/v1/status", "viewer"), ("GET", "/v1/services/web", "viewer"),
            ("GET", "/v1/services/web/history", "viewer"), ("GET", "/v1/events?limit=5", "viewer"),
            ("POST", "/v1/services/web/restart", "operator"), ("POST", "/v1/services/web/deploy", "operator"),
            ("POST", "/v1/services/web/promote", "operator"), ("POST", "/v1/services/web/rollback", "operator"),
            ("POST", "/v1/services/web/stop", "operator"), ("POST", "/v1/services/web/start", "operator"),
            ("POST", "/v1/reload", "admin"), ("POST", "/v1/reclaim", "admin"), ("POST", "/v1/chaos/faults", "admin"),
            ("GET", "/v1/audit", "admin"),
        ]
        let script = calls.map { "curl -s -o /dev/null -w '%{http_code}\\n' -X \($0.method) --unix-socket '\(vigil.socketPath)' 'http://vigil\($0.path)'" }
            .joined(separator: "; ")
        let ranks = ["none": 0, "viewer": 1, "operator": 2, "admin": 3]
        let callers: [(user: String?, role: String)] = [
            (nil, "admin"), (TestAccounts.operatorUser, "operator"), (TestAccounts.viewerUser, "viewer"), (TestAccounts.noRoleUser, "none"),
        ]
        for caller in callers {
            let result = try caller.user.map { try TestAccounts.runAs($0, "/bin/sh", ["-c", script]) }
                ?? { let handle = try ProcessHandle(executable: "/bin/sh", arguments: ["-c", script]); return (handle.waitForExit(timeout: .seconds(60)), handle.output) }()
            XCTAssertEqual(result.code, 0, result.output)
            let codes = result.output.split(separator: "\n").map(String.init)
            XCTAssertEqual(codes.count, calls.count, "\(caller.role): \(result.output)")
            for (call, code) in zip(calls, codes) {
                let allowed = ranks[caller.role]! >= ranks[call.needs]!
                if allowed {
                    XCTAssertNotEqual(code, "403", "\(caller.role) may \(call.method) \(call.path)")
                    XCTAssertNotEqual(code, "000", "\(caller.role) reached \(call.path)")
                } else {
                    XCTAssertEqual(code, "403", "\(caller.role) may not \(call.method) \(call.path)")
                }
            }
        }

        // The refusal says why, as JSON; the real CLI shows it and exits 1.
        let refused = try TestAccounts.runAs(TestAccounts.viewerUser, try BuiltProducts.vigil, ["restart", "web", "--control", vigil.socketPath])
        XCTAssertEqual(refused.code, 1)
        XCTAssertTrue(refused.output.contains("needs role operator"), refused.output)
        XCTAssertTrue(refused.output.contains("has role viewer (from user \(TestAccounts.viewerUser))"), refused.output)
        let status = try TestAccounts.runAs(TestAccounts.viewerUser, try BuiltProducts.vigil, ["status", "--control", vigil.socketPath])
        XCTAssertEqual(status.code, 0, status.output)
        XCTAssertTrue(status.output.contains("web"), status.output)
        let nobody = try TestAccounts.runAs(TestAccounts.noRoleUser, "/usr/bin/curl", ["-s", "--unix-socket", vigil.socketPath, "http://vigil/v1/status"])
        let body = try JSONSerialization.jsonObject(with: Data(nobody.output.utf8)) as? [String: Any]
        XCTAssertEqual(body?["error"] as? String, "forbidden: uid \(getpwnam(TestAccounts.noRoleUser)!.pointee.pw_uid) (\(TestAccounts.noRoleUser)) has no role")
        XCTAssertNotNil(body?["detail"] as? String)

        // Refused changes are audited with who asked and the role they had.
        let audit = try vigil.client.send("GET", "/v1/audit?limit=1000").decode(AuditList.self).audit
        let refusedRestart = audit.filter { $0.endpoint == "/v1/services/web/restart" && $0.status == 403 }
        XCTAssertTrue(refusedRestart.contains { $0.user == TestAccounts.viewerUser && $0.role == "viewer" }, "\(audit)")
        XCTAssertTrue(refusedRestart.contains { $0.user == TestAccounts.noRoleUser && $0.role == nil }, "\(audit)")
        XCTAssertTrue(audit.contains { $0.user == TestAccounts.operatorUser && $0.endpoint == "/v1/services/web/restart" && $0.status == 200 && $0.role == "operator" })
        XCTAssertFalse(audit.contains { $0.method == "GET" }, "reads are not audited")
    }

    /// A service's own processes get its manifest's controlRole (default viewer), even running as root.
    func testASupervisedProcessReadsEventsAndIsRefusedADeploy() throws {
        let out = try TemporaryDirectory(prefix: "va")
        defer { out.remove() }
        let script = """
            curl -s -o /dev/null -w '%{http_code}' --unix-socket "$VIGIL_CONTROL" http://vigil/v1/events > \(out.path)/events.tmp && mv \(out.path)/events.tmp \(out.path)/events
            curl -s -o \(out.path)/deploy.body -w '%{http_code}' -X POST --unix-socket "$VIGIL_CONTROL" http://vigil/v1/services/web/deploy > \(out.path)/deploy.tmp && mv \(out.path)/deploy.tmp \(out.path)/deploy
            exec sleep 600
            """
        let agent = """
            apiVersion: vigil/v1
            kind: Service
            name: agent
            command: [/bin/sh, -c, \(yamlQuoted(script))]
            """
        let operatorScript = """
            curl -s -o /dev/null -w '%{http_code}' -X POST --unix-socket "$VIGIL_CONTROL" http://vigil/v1/services/web/restart > \(out.path)/restart.tmp && mv \(out.path)/restart.tmp \(out.path)/restart
            curl -s -o /dev/null -w '%{http_code}' -X POST --unix-socket "$VIGIL_CONTROL" http://vigil/v1/reload > \(out.path)/reload.tmp && mv \(out.path)/reload.tmp \(out.path)/reload
            exec sleep 600
            """
        let deployer = """
            apiVersion: vigil/v1
            kind: Service
            name: deployer
            controlRole: operator
            command: [/bin/sh, -c, \(yamlQuoted(operatorScript))]
            """
        let vigil = try startVigil(manifests: ["agent": agent, "deployer": deployer])
        XCTAssertTrue(poll(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: out.appending("deploy")) }, vigil.output)
        XCTAssertEqual(try String(contentsOfFile: out.appending("events"), encoding: .utf8), "200")
        XCTAssertEqual(try String(contentsOfFile: out.appending("deploy"), encoding: .utf8), "403")
        let body = try String(contentsOfFile: out.appending("deploy.body"), encoding: .utf8)
        XCTAssertTrue(body.contains("has role viewer (from controlRole of service agent)"), body)
        let audit = try vigil.client.send("GET", "/v1/audit").decode(AuditList.self).audit
        let record = try XCTUnwrap(audit.first { $0.endpoint == "/v1/services/web/deploy" })
        XCTAssertEqual(record.service, "agent")
        XCTAssertEqual(record.uid, 0, "it runs as root and still only views")
        XCTAssertEqual(record.status, 403)

        // controlRole: operator lets the service's processes restart, not reload.
        XCTAssertTrue(poll(timeout: .seconds(30)) { FileManager.default.fileExists(atPath: out.appending("reload")) }, vigil.output)
        XCTAssertEqual(try String(contentsOfFile: out.appending("restart"), encoding: .utf8), "200")
        XCTAssertEqual(try String(contentsOfFile: out.appending("reload"), encoding: .utf8), "403")
    }
}
