import VigilManifest
import XCTest

/// Each broken manifest is reported at the exact line and column of the offending key or
/// value, with a message that says what is wrong and how to fix it.
final class BrokenManifestTests: XCTestCase {
    /// (manifest body after the 4-line head, expected LINE:COL, message fragment)
    private let cases: [(String, String, String)] = [
        ("probes:\n  livenes: {tcp: {port: 1}}\n", "6:3", "unknown key 'livenes' in probes; did you mean 'liveness'?"),
        ("frobnicate: 1\n", "5:1", "unknown key 'frobnicate' in Service; valid keys are: apiVersion, kind, name, command"),
        ("restart: {backof: {initial: 1s}}\n", "5:11", "unknown key 'backof' in restart; did you mean 'backoff'?"),
        ("deploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n  analysis: {maxErrorrate: 1%}\n", "8:14", "did you mean 'maxErrorRate'?"),
        ("port: 1\nport: 2\n", "6:1", "duplicate key 'port' (first written at line 5, column 1)"),
        ("probes: [liveness]\n", "5:9", "'probes' must be a mapping (key: value pairs), not a list"),
        ("port: 70000\n", "5:7", "'port' must be a port number from 1 to 65535, not '70000'"),
        ("stop: {timeout: 10}\n", "5:17", "a duration needs a unit: 10s"),
        ("stop: {timeout: 10 sec}\n", "5:17", "write it like 500ms, 10s, 5m, 1h or 1m30s"),
        ("resources: {memory: {high: 10MB}}\n", "5:28", "'resources.memory.high' is not a size: '10MB'; write it like 512Ki, 256Mi, 2Gi"),
        ("restart: {backoff: {jitter: 150%}}\n", "5:29", "'restart.backoff.jitter' is not a ratio: '150%'; write it like 0.01 or 1%"),
        ("restart: {backoff: {jitter: 1}}\n", "5:29", "must be less than 1 (100%)"),
        ("restart: {backoff: {multiplier: 0.5}}\n", "5:33", "must be at least 1"),
        ("restart: {policy: alway}\n", "5:19", "must be one of always, on-failure, never, not 'alway'; did you mean 'always'?"),
        ("restart: {crashLoop: {restarts: 0}}\n", "5:33", "'restart.crashLoop.restarts' must be at least 1"),
        ("restart:\n  backoff: {initial: 1m, max: 10s}\n", "6:13", "restart.backoff.initial (1m) must not be longer than restart.backoff.max (10s)"),
        ("stop: {signal: SIGFOO}\n", "5:16", "is not a known signal: 'SIGFOO'; use one of SIGHUP"),
        ("port: 1\nprobes:\n  liveness: {http: {path: /h}, tcp: {}}\n", "7:32", "needs exactly one of http, tcp or exec (found http and tcp)"),
        ("port: 1\nprobes:\n  readiness: {period: 1s}\n", "7:14", "needs exactly one of http, tcp or exec (found none)"),
        ("port: 1\nprobes:\n  liveness: {http: {}, successThreshold: 2}\n", "7:42", "must be 1 for a liveness probe"),
        ("port: 1\nprobes:\n  readiness: {http: {}, failureThreshold: 0}\n", "7:43", "'probes.readiness.failureThreshold' must be at least 1"),
        ("port: 1\nprobes:\n  startup: {http: {path: health}}\n", "7:26", "must start with '/', e.g. /health"),
        ("probes:\n  liveness: {tcp: {}}\n", "6:14", "'probes.liveness.tcp' has no port to probe; add port: N here, or give the service a 'port'"),
        ("resources:\n  memory: {high: 1Gi, max: 512Mi}\n", "6:12", "'resources.memory.high' (1Gi) must not be above 'resources.memory.max' (512Mi)"),
        ("logs: {maxSize: 100}\n", "5:17", "'logs.maxSize' must be at least 1Ki"),
        ("logs: {keep: -1}\n", "5:14", "'logs.keep' must be at least 0"),
        ("logs: {rateLimit: {per: 30s}}\n", "5:19", "'logs.rateLimit' needs lines or bytes; e.g. rateLimit: {lines: 10000, per: 30s}"),
        ("logs: {rateLimit: {lines: 10, bytes: 1Mi}}\n", "5:31", "'logs.rateLimit' takes lines or bytes, not both"),
        ("logs: {rateLimit: {lines: 0}}\n", "5:27", "'logs.rateLimit.lines' must be at least 1"),
        ("logs: {rateLimit: {bytes: 0}}\n", "5:27", "'logs.rateLimit.bytes' must be above 0"),
        ("logs: {rateLimit: {lines: 10, per: 0s}}\n", "5:36", "'logs.rateLimit.per' must be longer than 0s"),
        ("logs: {rateLimit: {line: 10}}\n", "5:20", "unknown key 'line' in logs.rateLimit; did you mean 'lines'?"),
        ("deploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 18080, green: 18080}\n", "7:24", "must differ from 'deploy.ports.blue' (both are 18080)"),
        ("deploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 18080}\n", "7:10", "missing required key 'green' in deploy.ports"),
        ("deploy:\n  listen: 8080\n  ports: {blue: 1, green: 2}\n", "6:11", "'deploy.listen' must be host:port"),
        ("deploy:\n  strategy: canary\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n", "6:3", "strategy: canary needs 'steps'"),
        ("deploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n  steps: [{setWeight: 50}]\n", "8:3", "'steps' is for strategy: canary"),
        ("deploy:\n  strategy: canary\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n  steps: [{setWeight: 150}, {pause: 1s, setWeight: 2}]\n",
         "9:23", "'deploy.steps[0].setWeight' must be at most 100"),
        ("deploy:\n  strategy: canary\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n  steps: [{setWeight: 50}, {pause: 1s, setWeight: 2}]\n",
         "9:28", "'deploy.steps[1]' needs exactly one of setWeight or pause"),
        ("deploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n  router: nginx\n", "8:3", "router: nginx needs an nginx section"),
        ("deploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n  standby: hot\n", "8:12", "must be one of cold, warm"),
        ("deploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n  protocol: udp\n", "8:13", "'deploy.protocol' must be one of http, tcp, not 'udp'"),
        ("deploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n  router: nginx\n  nginx: {upstreamFile: /tmp/u.conf}\n  protocol: tcp\n",
         "10:3", "protocol: tcp needs router: builtin"),
        ("port: 9000\ndeploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n", "5:1", "gets its ports from deploy.ports"),
        ("port: 1\nprobes:\n  readiness: {exec: {command: [/bin/check, \"${PORTT}\"]}}\n", "7:44", "unknown variable '${PORTT}' in probes.readiness.exec.command[1]; did you mean '${PORT}'?"),
        ("env: {A: \"${B}\", 9X: y}\n", "5:10", "unknown variable '${B}' in env.A"),
        ("env: {A: x, 9X: y}\n", "5:13", "env name '9X' is not valid"),
        ("env: {PORT: \"1\"}\n", "5:7", "env name 'PORT' is set by Vigil"),
        ("workingDir: no-such-dir\n", "5:13", "workingDir 'no-such-dir' does not exist"),
        ("user: no-such-user-vigil\n", "5:7", "user 'no-such-user-vigil' does not exist on this host"),
        ("releases: {keep: 2}\n", "5:11", "missing required key 'dir' in releases"),
        ("controlRole: root\n", "5:14", "'controlRole' must be one of viewer, operator, admin, not 'root'"),
        ("deploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n  overridableEnv: [LOG_LEVEL, LD_PRELOAD]\n", "8:31",
         "'LD_PRELOAD' changes how programs are loaded or run, so a deploy may never set it"),
        ("deploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n  overridableEnv: [PYTHONPATH]\n", "8:20", "'PYTHONPATH' changes how programs are loaded or run"),
        ("deploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n  overridableEnv: [PATH]\n", "8:20", "'PATH' changes how programs are loaded or run"),
        ("deploy:\n  listen: 127.0.0.1:8080\n  ports: {blue: 1, green: 2}\n  overridableEnv: [9A]\n", "8:20", "'9A' is not an env name"),
    ]

    func testEachBrokenManifestIsReportedAtTheOffendingPlace() throws {
        XCTAssertGreaterThanOrEqual(cases.count, 15)
        for (body, position, fragment) in cases {
            let (path, report, _) = try checkManifest(Self.serviceHead + body)
            assertError(report.errors, at: position, in: path, contains: fragment)
            XCTAssertEqual(report.services, [], "a broken service must not validate: \(body)")
        }
    }

    func testHeaderProblems() throws {
        let documents: [(String, String, String)] = [
            ("apiVersion: vigil/v2\nkind: Service\nname: a\ncommand: [/bin/sh]\n", "1:13", "unsupported apiVersion 'vigil/v2'; write apiVersion: vigil/v1"),
            ("kind: Service\nname: a\ncommand: [/bin/sh]\n", "1:1", "missing required key 'apiVersion'"),
            ("apiVersion: vigil/v1\nkind: Servce\nname: a\n", "2:7", "unknown kind 'Servce'; did you mean 'Service'?"),
            ("apiVersion: vigil/v1\nkind: Chaos\nname: kill\n", "1:1", "kind Chaos is a chaos scenario, not a manifest; keep it in chaos/"),
            ("- apiVersion: vigil/v1\n", "1:1", "a document must be a mapping"),
            ("apiVersion: vigil/v1\nkind: Service\ncommand: [/bin/sh]\n", "1:1", "missing required key 'name' in Service; add e.g. name: my-service"),
            ("apiVersion: vigil/v1\nkind: Service\nname: Bad_Name\ncommand: [/bin/sh]\n", "3:7", "service name 'Bad_Name' is not valid; use 1 to 63 lowercase letters"),
            ("apiVersion: vigil/v1\nkind: Service\nname: a\ncommand: []\n", "4:10", "'command' must not be empty"),
            ("apiVersion: vigil/v1\nkind: Service\nname: a\ncommand: /bin/sh -c x\n", "4:10", "'command' must be a list, not '/bin/sh -c x'"),
        ]
        for (yaml, position, fragment) in documents {
            let (path, report, _) = try checkManifest(yaml)
            assertError(report.errors, at: position, in: path, contains: fragment)
        }
    }

    func testYAMLSyntaxErrorsCarryTheirPosition() throws {
        let (path, report, _) = try checkManifest(Self.serviceHead + "env:\n  A: 1\n B: 2\n")
        XCTAssertEqual(report.errors.count, 1, "\(report.errors)")
        let error = try XCTUnwrap(report.errors.first)
        XCTAssertEqual(error.location.file, path)
        XCTAssertEqual(error.location.line, 7)
        XCTAssertTrue(error.message.hasPrefix("YAML syntax error: "), error.message)
        XCTAssertTrue(error.message.contains("check the indentation"), error.message)

        let (path2, report2, _) = try checkManifest(Self.serviceHead + "env: {A: \"unterminated}\n")
        XCTAssertEqual(report2.errors.first?.location.file, path2)
        XCTAssertTrue(report2.errors.first?.message.contains("YAML syntax error") ?? false, "\(report2.errors)")
    }

    func testCommandsAreCheckedOnThisHost() throws {
        let (path, report, tree) = try checkManifest("""
            apiVersion: vigil/v1
            kind: Service
            name: a
            command: [vigil-no-such-program-xyz]
            ---
            apiVersion: vigil/v1
            kind: Service
            name: b
            command: [./script.sh]
            ---
            apiVersion: vigil/v1
            kind: Service
            name: c
            command: ["${VIGIL_BIN}", engine]
            ---
            apiVersion: vigil/v1
            kind: Service
            name: d
            command: ["${RELEASE_DIR}/bin/app"]
            """, builtins: ["VIGIL_BIN": "/nonexistent/vigil"])
        _ = tree
        assertError(report.errors, at: "4:11", in: path, contains: "command 'vigil-no-such-program-xyz' not found in PATH (")
        assertError(report.errors, at: "9:11", in: path, contains: "command './script.sh' does not exist")
        assertError(report.errors, at: "14:11", in: path, contains: "command '${VIGIL_BIN}' does not exist (looked for /nonexistent/vigil)")
        XCTAssertEqual(report.errors.count, 3, "\(report.errors)")
        XCTAssertEqual(report.services, ["d"])

        let script = try tree.write("manifests/script.sh", "#!/bin/sh\n")
        let again = ManifestLoader.check(paths: [path], builtins: ["VIGIL_BIN": "/bin/true"])
        assertError(again.errors, at: "9:11", in: path, contains: "command './script.sh' is not executable (chmod +x \(script))")
        XCTAssertEqual(again.services, ["c", "d"])
    }
}
