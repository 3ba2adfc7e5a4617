import Foundation
import VigilTestKit
import XCTest

/// deploy/: the systemd unit passes `systemd-analyze verify`, and install.sh installs a complete
/// tree and is idempotent. install.sh runs into a temporary root (`--destdir`) with a user
/// database of its own, so the host is never touched.
final class DeployFilesTests: XCTestCase {
    private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    private var unitPath: String { repository + "/deploy/vigil.service" }
    private var installScript: String { repository + "/deploy/install.sh" }

    func testUnitPassesSystemdAnalyzeVerifyWithoutAWarning() throws {
        let directory = try TemporaryDirectory(prefix: "vu")
        defer { directory.remove() }
        // verify insists that ExecStart's binary exists: point it at the one just built.
        let unit = try String(contentsOfFile: unitPath, encoding: .utf8)
            .replacingOccurrences(of: "ExecStart=/usr/local/bin/vigil ", with: "ExecStart=\(try BuiltProducts.vigil) ")
        XCTAssertTrue(unit.contains("ExecStart=\(try BuiltProducts.vigil) up --config /etc/vigil/vigil.yaml"), unit)
        try unit.write(toFile: directory.appending("vigil.service"), atomically: true, encoding: .utf8)

        let verify = try run("/usr/bin/systemd-analyze", ["verify", directory.appending("vigil.service")])
        XCTAssertEqual(verify.code, 0, verify.output)
        // verify exits 0 even for unknown keys or bad values (it only warns), so a clean run is one that says nothing.
        XCTAssertEqual(verify.output.trimmingCharacters(in: .whitespacesAndNewlines), "", "systemd-analyze verify warned")

        for required in ["Type=notify", "NotifyAccess=main", "WatchdogSec=", "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID", "KillMode=mixed", "StateDirectory=vigil", "RuntimeDirectory=vigil"] {
            XCTAssertTrue(unit.contains("\n" + required), "vigil.service lacks \(required)")
        }
    }

    func testInstallTwiceIntoATemporaryRootGivesOneCompleteIdenticalTree() throws {
        let root = try TemporaryDirectory(prefix: "vr")
        defer { root.remove() }
        try makeUserDatabase(in: root)

        let first = try run("/bin/sh", [installScript, "--binary", try BuiltProducts.vigil, "--destdir", root.path])
        XCTAssertEqual(first.code, 0, first.output)
        let afterFirst = try snapshot(root.path)
        let second = try run("/bin/sh", [installScript, "--binary", try BuiltProducts.vigil, "--destdir", root.path])
        XCTAssertEqual(second.code, 0, second.output)
        XCTAssertTrue(second.output.contains("nothing to change"), second.output)
        XCTAssertEqual(try snapshot(root.path), afterFirst, "a second run must change nothing (content, modes, owners, times)")

        let installedBinary = root.appending("usr/local/bin/vigil")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: installedBinary))
        XCTAssertEqual(FileManager.default.contents(atPath: installedBinary), FileManager.default.contents(atPath: try BuiltProducts.vigil))
        let unit = try String(contentsOfFile: root.appending("etc/systemd/system/vigil.service"), encoding: .utf8)
        XCTAssertTrue(unit.contains("\nExecStart=/usr/local/bin/vigil up --config /etc/vigil/vigil.yaml\n"), unit)
        // Completions for each shell, naming the subcommands; the bash one parses.
        for path in ["usr/local/share/bash-completion/completions/vigil", "usr/local/share/zsh/site-functions/_vigil", "usr/local/share/fish/vendor_completions.d/vigil.fish"] {
            let script = try String(contentsOfFile: root.appending(path), encoding: .utf8)
            XCTAssertTrue(["deploy", "rollback", "audit", "events"].allSatisfy(script.contains), "\(path): \(script.prefix(300))")
        }
        let parses = try run("/bin/bash", ["-n", root.appending("usr/local/share/bash-completion/completions/vigil")])
        XCTAssertEqual(parses.code, 0, parses.output)
        let config = try String(contentsOfFile: root.appending("etc/vigil/vigil.yaml"), encoding: .utf8)
        XCTAssertTrue(config.contains("stateDir: /var/lib/vigil") && config.contains("socket: /run/vigil/control.sock"), config)
        let passwd = try String(contentsOfFile: root.appending("etc/passwd"), encoding: .utf8)
        XCTAssertEqual(passwd.split(separator: "\n").filter { $0.hasPrefix("vigil:") }.count, 1, passwd)
        let group = try String(contentsOfFile: root.appending("etc/group"), encoding: .utf8)
        XCTAssertEqual(group.split(separator: "\n").filter { $0.hasPrefix("vigil:") }.count, 1, group)

        // The installed manifest is valid, runs unprivileged, and the engine owns its data directory.
        // `vigil check` looks the user up on this host, which has no vigil user: check a copy as root.
        let manifest = try String(contentsOfFile: root.appending("etc/vigil/manifests/soc-engine.yaml"), encoding: .utf8)
        XCTAssertTrue(manifest.contains("\nuser: vigil\n"), manifest)
        try manifest.replacingOccurrences(of: "\nuser: vigil\n", with: "\nuser: root\n").write(toFile: root.appending("soc-engine.yaml"), atomically: true, encoding: .utf8)
        let check = try run(try BuiltProducts.vigil, ["check", root.appending("soc-engine.yaml")])
        XCTAssertEqual(check.code, 0, check.output)
        let vigilUID = try XCTUnwrap(passwd.split(separator: "\n").first { $0.hasPrefix("vigil:") }?.split(separator: ":")[2])
        let engineDirectory = try FileManager.default.attributesOfItem(atPath: root.appending("var/lib/vigil/soc-engine"))
        XCTAssertEqual((engineDirectory[.ownerAccountID] as? NSNumber)?.stringValue, String(vigilUID))
        XCTAssertEqual((engineDirectory[.posixPermissions] as? NSNumber)?.intValue, 0o750)
    }

    func testInstallKeepsTheOperatorsConfigurationAndHonoursPrefix() throws {
        let root = try TemporaryDirectory(prefix: "vr")
        defer { root.remove() }
        try FileManager.default.createDirectory(atPath: root.appending("etc/vigil"), withIntermediateDirectories: true)
        let ownConfig = "# mine\napiVersion: vigil/v1\nkind: Supervisor\n"
        try ownConfig.write(toFile: root.appending("etc/vigil/vigil.yaml"), atomically: true, encoding: .utf8)

        let install = try run("/bin/sh", [installScript, "--binary", try BuiltProducts.vigil, "--destdir", root.path, "--prefix", "/opt/vigil"])
        XCTAssertEqual(install.code, 0, install.output)
        XCTAssertEqual(try String(contentsOfFile: root.appending("etc/vigil/vigil.yaml"), encoding: .utf8), ownConfig)
        XCTAssertTrue(install.output.contains("kept your /etc/vigil/vigil.yaml"), install.output)
        XCTAssertTrue(install.output.contains("create the vigil user"), "no user database in the root: says what to do: \(install.output)")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: root.appending("opt/vigil/bin/vigil")))
        let unit = try String(contentsOfFile: root.appending("etc/systemd/system/vigil.service"), encoding: .utf8)
        XCTAssertTrue(unit.contains("\nExecStart=/opt/vigil/bin/vigil up "), unit)

        let missing = try run("/bin/sh", [installScript, "--binary", root.appending("nope"), "--destdir", root.path])
        XCTAssertEqual(missing.code, 1)
        XCTAssertTrue(missing.output.contains("swift build -c release"), "a missing binary says how to build one: \(missing.output)")
    }

    func testPrometheusConfigIsValidAndScrapesVigilAndTheEngine() throws {
        let config = repository + "/deploy/prometheus.yml"
        let check = try run("/usr/bin/promtool", ["check", "config", config])
        XCTAssertEqual(check.code, 0, check.output)
        let text = try String(contentsOfFile: config, encoding: .utf8)
        XCTAssertTrue(text.contains("\"127.0.0.1:9469\""), "Vigil's metrics.listen")
        let engine = try String(contentsOfFile: repository + "/manifests/soc-engine.yaml", encoding: .utf8)
        XCTAssertTrue(engine.contains("blue: 18080"), "the scrape config follows the default manifest's ports")
        XCTAssertTrue(text.contains("\"127.0.0.1:18080\""), "the SOC engine's blue port")
    }

    /// Every panel query parses as PromQL (promtool check rules, with Grafana's variables filled
    /// in) and names only metrics of SPEC section 6 (or Prometheus's own `up`).
    func testDashboardQueriesParseAndUseSpecifiedMetrics() throws {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: repository + "/deploy/grafana-dashboard.json"))
        let dashboard = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(dashboard["uid"] as? String, "vigil-overview")
        let panels = try XCTUnwrap(dashboard["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        XCTAssertGreaterThan(expressions.count, 15)

        let spec = try String(contentsOfFile: repository + "/docs/SPEC.md", encoding: .utf8)
        let metricPattern = try NSRegularExpression(pattern: #"\b(vigil_[a-z_]+|process_[a-z_]+)"#)
        var used: Set<String> = []
        for expression in expressions {
            for match in metricPattern.matches(in: expression, range: NSRange(expression.startIndex..., in: expression)) {
                var name = String(expression[Range(match.range, in: expression)!])
                for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && name.hasPrefix("vigil_") { name.removeLast(suffix.count) }
                used.insert(name)
            }
        }
        for name in used where name.hasPrefix("vigil_") {
            XCTAssertTrue(spec.contains("`\(name)`"), "\(name) is not a SPEC section 6 metric")
        }
        for required in ["vigil_service_state", "vigil_service_restarts_total", "vigil_process_resident_memory_bytes", "vigil_probe_duration_seconds",
                         "vigil_rollouts_total", "vigil_active_color", "vigil_traffic_weight", "vigil_router_requests_total", "vigil_router_request_duration_seconds"] {
            XCTAssertTrue(used.contains(required), "the dashboard shows \(required)")
        }

        let directory = try TemporaryDirectory(prefix: "vg")
        defer { directory.remove() }
        var rules = "groups:\n  - name: dashboard\n    rules:\n"
        for (index, expression) in expressions.enumerated() {
            let promQL = expression
                .replacingOccurrences(of: "$__rate_interval", with: "5m").replacingOccurrences(of: "$__range", with: "1h")
                .replacingOccurrences(of: "$instance", with: ".*").replacingOccurrences(of: "$service", with: ".*")
            rules += "      - record: dashboard:panel_\(index)\n        expr: \(yamlQuoted(promQL))\n"
        }
        try rules.write(toFile: directory.appending("rules.yml"), atomically: true, encoding: .utf8)
        let check = try run("/usr/bin/promtool", ["check", "rules", directory.appending("rules.yml")])
        XCTAssertEqual(check.code, 0, check.output)
    }

    // MARK: - Helpers

    private func run(_ executable: String, _ arguments: [String]) throws -> (code: Int32?, output: String) {
        let process = try ProcessHandle(executable: executable, arguments: arguments)
        let code = process.waitForExit(timeout: .seconds(120))
        return (code, process.output)
    }

    /// A minimal /etc user database, as a freshly debootstrapped root has.
    private func makeUserDatabase(in root: TemporaryDirectory) throws {
        let etc = root.appending("etc")
        try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
        try "root:x:0:0:root:/root:/bin/sh\n".write(toFile: etc + "/passwd", atomically: true, encoding: .utf8)
        try "root:x:0:\n".write(toFile: etc + "/group", atomically: true, encoding: .utf8)
        try "root:*:19000:0:99999:7:::\n".write(toFile: etc + "/shadow", atomically: true, encoding: .utf8)
        try "root:*::\n".write(toFile: etc + "/gshadow", atomically: true, encoding: .utf8)
    }

    /// Every path under `root` with its type, mode, owner, size, modification time and content.
    private func snapshot(_ root: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        let manager = FileManager.default
        for case let relative as String in manager.enumerator(atPath: root)! {
            let path = root + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { throw TestKitError("lstat \(path): \(String(cString: strerror(errno)))") }
            let content = (info.st_mode & S_IFMT) == S_IFREG ? (manager.contents(atPath: path)?.hashValue ?? 0) : 0
            entries[relative] = "mode=\(String(info.st_mode, radix: 8)) owner=\(info.st_uid):\(info.st_gid) size=\(info.st_size) mtime=\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) content=\(content)"
        }
        return entries
    }
}
