import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// The audit log, the deploy-time env allowlist and the control API's errors, end to end: a real
/// `vigil up`, the real CLI and curl, the real vigil.db (read back with sqlite3).
final class ControlAuditIntegrationTests: XCTestCase {
    /// A blue-green `web` whose deploys may set ERROR_RATE only.
    private func startVigil() throws -> VigilProcess {
        let vigil = try VigilProcess()
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: nil, extraArgs: ["--error-rate", "${ERROR_RATE}"], extraYAML: """
            env: {ERROR_RATE: "0", API_TOKEN: "manifest-secret-value"}
            deploy:
              listen: 127.0.0.1:\(try freeTCPPort())
              ports: {blue: \(try freeTCPPort()), green: \(try freeTCPPort())}
              overridableEnv: [ERROR_RATE, API_TOKEN]
            """))
        try vigil.start()
        return vigil
    }

    private func curl(_ vigil: VigilProcess, _ arguments: [String]) throws -> (status: String, body: String) {
        let marker = "\nSTATUS:"
        let handle = try ProcessHandle(executable: "/usr/bin/curl", arguments: ["-s", "-w", marker + "%{http_code}", "--unix-socket", vigil.socketPath] + arguments)
        XCTAssertEqual(handle.waitForExit(timeout: .seconds(60)), 0, handle.output)
        let parts = handle.output.components(separatedBy: marker)
        return (parts.last ?? "", parts.dropLast().joined(separator: marker))
    }

    private func sqlite(_ vigil: VigilProcess, _ sql: String) throws -> (code: Int32?, output: String) {
        let handle = try ProcessHandle(executable: "/usr/bin/sqlite3", arguments: [vigil.stateDir + "/vigil.db", sql])
        return (handle.waitForExit(timeout: .seconds(30)), handle.output)
    }

    func testADeploySettingLDPreloadIsRefusedEvenForAdminAndAudited() throws {
        let vigil = try startVigil()
        let preload = try vigil.cli(["deploy", "web", "--env", "LD_PRELOAD=/tmp/evil.so", "--env", "API_TOKEN=hunter2"])
        XCTAssertEqual(preload.code, 1, preload.output)
        XCTAssertTrue(preload.output.contains("--env LD_PRELOAD is refused: it changes how programs are loaded or run"), preload.output)
        let unlisted = try vigil.cli(["deploy", "web", "--env", "LATENCY=5s"])
        XCTAssertEqual(unlisted.code, 1, unlisted.output)
        XCTAssertTrue(unlisted.output.contains("--env LATENCY is not in deploy.overridableEnv of web (it lists ERROR_RATE, API_TOKEN)"), unlisted.output)
        let raw = try curl(vigil, ["-X", "POST", "-d", #"{"env": ["GCONV_PATH=/tmp"]}"#, "http://vigil/v1/services/web/deploy"])
        XCTAssertEqual(raw.status, "400")
        XCTAssertTrue(raw.body.contains(#""error":"--env GCONV_PATH is refused"#), raw.body)

        let audit = try vigil.client.send("GET", "/v1/audit").decode(AuditList.self).audit.filter { $0.endpoint == "/v1/services/web/deploy" }
        XCTAssertEqual(audit.map(\.status), [400, 400, 400], "\(audit)")
        let first = try XCTUnwrap(audit.first)
        XCTAssertEqual(first.user, "root")
        XCTAssertEqual(first.role, "admin")
        XCTAssertTrue(first.arguments?.contains("LD_PRELOAD=/tmp/evil.so") == true, first.arguments ?? "nil")
        XCTAssertTrue(first.arguments?.contains("API_TOKEN=***") == true, "the token is redacted: \(first.arguments ?? "nil")")
        XCTAssertFalse(first.arguments?.contains("hunter2") == true)
        XCTAssertTrue(first.outcome.contains("LD_PRELOAD is refused"), first.outcome)
        let cli = try vigil.cli(["audit", "-n", "2"])
        XCTAssertEqual(cli.code, 0, cli.output)
        XCTAssertTrue(cli.output.contains("root (admin)  POST /v1/services/web/deploy"), cli.output)
        XCTAssertEqual(cli.output.split(separator: "\n").count, 2, cli.output)
    }

    func testTheAuditLogIsAppendOnlyAndOutlivesARestart() throws {
        let vigil = try startVigil()
        XCTAssertEqual(try curl(vigil, ["-X", "POST", "http://vigil/v1/reload"]).status, "200")
        XCTAssertEqual(try curl(vigil, ["-X", "POST", "http://vigil/v1/services/web/promote"]).status, "409")
        let before = try vigil.client.send("GET", "/v1/audit").decode(AuditList.self).audit
        XCTAssertEqual(before.map(\.endpoint), ["/v1/reload", "/v1/services/web/promote"])
        XCTAssertEqual(before.map(\.status), [200, 409])

        let delete = try sqlite(vigil, "DELETE FROM audit")
        XCTAssertNotEqual(delete.code, 0)
        XCTAssertTrue(delete.output.contains("the audit log is append-only"), delete.output)
        XCTAssertNotEqual(try sqlite(vigil, "UPDATE audit SET status = 200").code, 0)

        vigil.process?.terminate(signal: SIGTERM)
        XCTAssertEqual(vigil.process?.waitForExit(timeout: .seconds(60)), 0)
        try vigil.start()
        let json = try vigil.cli(["audit", "--json"])
        XCTAssertEqual(json.code, 0, json.output)
        let after = try JSONDecoder.vigil.decode(AuditList.self, from: Data(json.output.utf8)).audit
        XCTAssertEqual(after, before, "kept across a restart, unchanged")
    }

    /// A secret passed with `--env` never comes back: history, status, events, the audit log and
    /// Vigil's own output show `***` or nothing.
    func testSecretEnvValuesAreShownAsStars() throws {
        let vigil = try startVigil()
        let secret = "topsecret-\(Int.random(in: 100_000..<999_999))"
        let deploy = try vigil.cli(["deploy", "web", "--version", "v2", "--env", "API_TOKEN=\(secret)", "--env", "ERROR_RATE=0"])
        XCTAssertEqual(deploy.code, 0, deploy.output)
        let history = try vigil.cli(["history", "web", "--json"])
        XCTAssertEqual(history.code, 0, history.output)
        XCTAssertTrue(history.output.contains(#""API_TOKEN":"***""#), history.output)
        XCTAssertTrue(history.output.contains(#""ERROR_RATE":"0""#), "other values stay: \(history.output)")
        let answers = [
            history.output,
            try vigil.client.send("GET", "/v1/services/web/history").text,
            try vigil.client.send("GET", "/v1/status").text,
            try vigil.client.send("GET", "/v1/events?since=0&limit=5000").text,
            try vigil.client.send("GET", "/v1/audit").text,
            try vigil.cli(["events", "-n", "500"]).output,
            vigil.output,
        ]
        for answer in answers {
            XCTAssertFalse(answer.contains(secret), answer)
        }
        XCTAssertTrue(try vigil.client.send("GET", "/v1/audit").text.contains("API_TOKEN=***"))
    }

    /// Every answer that is not a success is `{error, detail}`, whoever produced it.
    func testEveryErrorIsJSON() throws {
        let vigil = try startVigil()
        func assertJSONError(_ arguments: [String], status: String, contains fragment: String, line: UInt = #line) throws {
            let answer = try curl(vigil, arguments)
            XCTAssertEqual(answer.status, status, answer.body, line: line)
            let object = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
            XCTAssertTrue((object?["error"] as? String)?.contains(fragment) == true, answer.body, line: line)
            XCTAssertTrue(object?.keys.contains("detail") == true, answer.body, line: line)
        }
        try assertJSONError(["http://vigil/v1/nothing"], status: "404", contains: "no such endpoint: GET /v1/nothing")
        try assertJSONError(["-X", "DELETE", "http://vigil/v1/status"], status: "405", contains: "DELETE is not allowed on /v1/status")
        let large = vigil.directory.appending("large.json")
        try Data(repeating: 0x20, count: 2 << 20).write(to: URL(fileURLWithPath: large))
        try assertJSONError(["-X", "POST", "--data-binary", "@" + large, "http://vigil/v1/services/web/deploy"], status: "413", contains: "the request body is too large")
        try assertJSONError(["http://vigil/v1/events?limit=0"], status: "400", contains: "invalid 'limit'")
        // A store error no handler catches: the event table is gone.
        XCTAssertEqual(try sqlite(vigil, "ALTER TABLE event RENAME TO event_gone").code, 0)
        try assertJSONError(["http://vigil/v1/events?limit=5"], status: "500", contains: "Vigil's state database failed")
    }
}

extension JSONDecoder {
    /// The control API's dates (ISO-8601 with milliseconds).
    static var vigil: JSONDecoder { VigilJSON.decoder() }
}
