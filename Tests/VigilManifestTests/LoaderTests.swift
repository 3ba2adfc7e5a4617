import VigilManifest
import XCTest

/// How the loader finds files, applies defaults and overrides, and reports problems that span
/// several files, all at once.
final class LoaderTests: XCTestCase {
    private func service(_ name: String, _ extra: String = "") -> String {
        "apiVersion: vigil/v1\nkind: Service\nname: \(name)\ncommand: [/bin/sh]\n" + extra
    }

    private func loadErrors(_ body: () throws -> LoadedConfiguration) -> [ManifestError] {
        do {
            _ = try body()
            XCTFail("expected the load to be rejected")
            return []
        } catch let error as ManifestErrors {
            return error.errors
        } catch {
            XCTFail("unexpected error type: \(error)")
            return []
        }
    }

    func testEveryProblemInEveryFileIsReportedAtOnceInFileOrder() throws {
        let tree = try TempTree()
        let config = try tree.write("vigil.yaml", """
            apiVersion: vigil/v1
            kind: Supervisor
            metrics: {listen: 127.0.0.1:18200}
            control: {sockt: x.sock}
            """)
        let a = try tree.write("manifests/a.yaml", service("api", "port: 18200\nrestart: {policy: sometimes}\n"))
        let b = try tree.write("manifests/b.yaml", service("api", "port: 18300\n") + "---\n" + service("web", "deploy:\n  listen: 127.0.0.1:18300\n  ports: {blue: 18301, green: 18302}\n"))
        let c = try tree.write("manifests/c.yaml", service("worker", "env: {A: 1, A: 2}\nlogs: {keep: many}\n"))
        let errors = loadErrors { try tree.inside { try ManifestLoader.load(configPath: nil, manifestDirs: nil, builtins: [:]) } }
        let printed = errors.map(\.description)
        XCTAssertEqual(printed, [
            "vigil.yaml:4:11: error: unknown key 'sockt' in control; did you mean 'socket'?",
            "\(tree.root)/manifests/a.yaml:6:19: error: 'restart.policy' must be one of always, on-failure, never, not 'sometimes'",
            "\(tree.root)/manifests/b.yaml:3:1: error: service 'api' is already defined at \(a):3:1; service names must be unique, so rename one of them",
            "\(tree.root)/manifests/b.yaml:12:11: error: port 18300 of service 'web' (deploy.listen) is already used by service 'api' (port) at \(b):5:7; give each listener its own port",
            "\(c):5:13: error: duplicate key 'A' (first written at line 5, column 7); keep only one of them",
            "\(c):6:14: error: 'logs.keep' must be a whole number, not 'many'",
        ], printed.joined(separator: "\n"))
        XCTAssertEqual(errors.first?.location.file, "vigil.yaml")
        _ = config
    }

    func testPortClashesWithTheSupervisorsOwnListeners() throws {
        let tree = try TempTree()
        let config = try tree.write("etc/vigil.yaml", """
            apiVersion: vigil/v1
            kind: Supervisor
            control: {listen: 127.0.0.1:18400}
            metrics: {listen: 127.0.0.1:18401}
            """)
        let m = try tree.write("etc/manifests/m.yaml", service("one", "port: 18401\n") + "---\n" + service("two", "deploy:\n  listen: 127.0.0.1:18400\n  ports: {blue: 18402, green: 18403}\n"))
        let errors = loadErrors { try ManifestLoader.load(configPath: config, manifestDirs: nil, builtins: [:]) }
        assertError(errors, at: "5:7", in: m, contains: "port 18401 of service 'one' (port) is already used by the supervisor (metrics.listen) at \(config):4:19")
        assertError(errors, at: "12:11", in: m, contains: "port 18400 of service 'two' (deploy.listen) is already used by the supervisor (control.listen) at \(config):3:19")
        XCTAssertEqual(errors.count, 2)
    }

    func testManifestDirectoriesDefaultsOverridesAndMissingOnes() throws {
        let tree = try TempTree()
        let empty = try tree.inside { try ManifestLoader.load(configPath: nil, manifestDirs: nil, builtins: [:]) }
        XCTAssertEqual(empty.services.count, 0, "a missing default manifests directory is not an error")
        XCTAssertNil(empty.supervisor.file)

        try tree.write("other/x.yaml", service("x"))
        try tree.write("manifests/y.yaml", service("y"))
        let overridden = try tree.inside { try ManifestLoader.load(configPath: nil, manifestDirs: ["other"], builtins: [:]) }
        XCTAssertEqual(overridden.services.map(\.spec.name), ["x"])
        XCTAssertEqual(overridden.supervisor.manifestDirs, [tree.root + "/other"])

        let missing = loadErrors { try tree.inside { try ManifestLoader.load(configPath: nil, manifestDirs: ["nope"], builtins: [:]) } }
        XCTAssertEqual(missing.map(\.description), ["nope:1:1: error: manifests directory 'nope' does not exist or is not a directory; create it or fix the path"])

        let config = try tree.write("conf/vigil.yaml", "apiVersion: vigil/v1\nkind: Supervisor\nmanifests: [../other, absent]\n")
        let named = loadErrors { try ManifestLoader.load(configPath: config, manifestDirs: nil, builtins: [:]) }
        assertError(named, at: "3:23", in: config, contains: "manifests directory '\(tree.root)/conf/absent' does not exist")
        XCTAssertEqual(named.count, 1)

        let fromConfig = try ManifestLoader.load(configPath: config, manifestDirs: [tree.root + "/manifests"], builtins: [:])
        XCTAssertEqual(fromConfig.services.map(\.spec.name), ["y"], "manifestDirs replaces the config's list")
        XCTAssertEqual(fromConfig.supervisor.stateDir, tree.root + "/conf/.vigil")
        XCTAssertEqual(fromConfig.supervisor.control.socket, tree.root + "/conf/.vigil/control.sock")
    }

    func testDocumentsOfTheWrongKindInTheWrongPlace() throws {
        let tree = try TempTree()
        let config = try tree.write("vigil.yaml", "apiVersion: vigil/v1\nkind: Supervisor\n---\n" + service("inline"))
        let m = try tree.write("manifests/m.yaml", "apiVersion: vigil/v1\nkind: Supervisor\n---\napiVersion: vigil/v1\nkind: Chaos\nname: c\n")
        let errors = loadErrors { try ManifestLoader.load(configPath: config, manifestDirs: nil, builtins: [:]) }
        assertError(errors, at: "4:1", in: config, contains: "kind Service belongs in a manifests directory")
        assertError(errors, at: "1:1", in: m, contains: "kind Supervisor belongs in vigil.yaml")
        assertError(errors, at: "4:1", in: m, contains: "kind Chaos is a chaos scenario, not a manifest; keep it in chaos/ and run it with: vigil chaos run FILE")
        XCTAssertEqual(errors.count, 3)
    }

    func testSupervisorSettingsAreValidated() throws {
        let tree = try TempTree()
        let config = try tree.write("vigil.yaml", """
            apiVersion: vigil/v1
            kind: Supervisor
            control:
              tokens:
                - {name: ci, sha256: "abc", role: operator}
                - {name: ops, sha256: "\(String(repeating: "f", count: 64))", role: root}
              webhooks:
                - {name: github, secretFile: s, services: [ghost]}
                - {name: github, secretFile: t, services: []}
            reclaim:
              interval: 0s
              disk:
                - {path: /var, highWatermark: 80%, lowWatermark: 90%, clean: [logs, tmp, {glob: "/tmp/x-*"}]}
              memory: {hostHighWatermark: 120%}
            notify:
              webhooks:
                - {url: "ftp://x", events: [rollout, rolback]}
            """)
        let report = ManifestLoader.check(paths: [config], builtins: [:])
        let errors = report.errors
        assertError(errors, at: "5:26", in: config, contains: "must be 64 hex characters (the SHA-256 of the token, never the token itself)")
        assertError(errors, at: "6:101", in: config, contains: "'control.tokens[1].role' must be one of viewer, operator, admin, not 'root'")
        assertError(errors, at: "8:48", in: config, contains: "webhook names service 'ghost', which no manifest defines")
        assertError(errors, at: "11:13", in: config, contains: "'reclaim.interval' must be longer than 0s")
        assertError(errors, at: "13:40", in: config, contains: "'reclaim.disk[0].lowWatermark' must be below 'reclaim.disk[0].highWatermark'")
        assertError(errors, at: "13:73", in: config, contains: "'reclaim.disk[0].clean[1]' must be logs, releases or {glob: PATTERN, olderThan: DURATION}, not 'tmp'")
        assertError(errors, at: "13:78", in: config, contains: "missing required key 'olderThan' in reclaim.disk[0].clean[2]")
        assertError(errors, at: "14:3", in: config, contains: "'reclaim.memory' is not supported yet")
        assertError(errors, at: "17:13", in: config, contains: "must be an http:// or https:// URL")
        assertError(errors, at: "17:42", in: config, contains: "unknown event 'rolback' in notify.webhooks[0].events; did you mean 'rollback'?")
        assertError(errors, at: "9:14", in: config, contains: "webhook name 'github' is used twice")
        XCTAssertEqual(errors.count, 11, errors.map(\.description).joined(separator: "\n"))
    }

    func testCheckPullsInTheConfigsManifestsOnlyWhenGivenNothingElse() throws {
        let tree = try TempTree()
        let config = try tree.write("vigil.yaml", "apiVersion: vigil/v1\nkind: Supervisor\n")
        let a = try tree.write("manifests/a.yaml", service("a"))
        try tree.write("manifests/b.yml", service("b"))
        let extra = try tree.write("extra/c.yaml", service("c"))

        let configOnly = ManifestLoader.check(paths: [config], builtins: [:])
        XCTAssertEqual(configOnly.errors, [])
        XCTAssertEqual(configOnly.services, ["a", "b"])
        XCTAssertEqual(configOnly.files, [config, tree.root + "/manifests/a.yaml", tree.root + "/manifests/b.yml"])

        let withManifest = ManifestLoader.check(paths: [config, extra], builtins: [:])
        XCTAssertEqual(withManifest.services, ["c"])

        let directory = ManifestLoader.check(paths: [tree.root + "/manifests", a], builtins: [:])
        assertError(directory.errors, at: "3:1", in: a, contains: "service 'a' is already defined at \(a):3:1")

        let defaults = tree.inside { ManifestLoader.check(paths: [], builtins: [:]) }
        XCTAssertEqual(defaults.files.first, "vigil.yaml")
        XCTAssertEqual(defaults.services, ["a", "b"])

        let missing = ManifestLoader.check(paths: [tree.root + "/nothing.yaml"], builtins: [:])
        XCTAssertEqual(missing.errors.map(\.description), ["\(tree.root)/nothing.yaml:1:1: error: no such file or directory; check the path"])
    }

    func testAWrongHeaderDoesNotHideTheRestOfTheDocument() throws {
        let tree = try TempTree()
        let m = try tree.write("m.yaml", "apiVersion: v1\nkind: Service\nname: a\ncommand: [/bin/sh]\nport: 0\n")
        let report = ManifestLoader.check(paths: [m], builtins: [:])
        assertError(report.errors, at: "1:13", in: m, contains: "unsupported apiVersion 'v1'")
        assertError(report.errors, at: "5:7", in: m, contains: "'port' must be a port number from 1 to 65535, not '0'")
        XCTAssertEqual(report.errors.count, 2)
        XCTAssertEqual(report.services, [])
    }

    func testOneServiceCannotListenOnItsOwnColorPort() throws {
        let tree = try TempTree()
        let m = try tree.write("m.yaml", service("web", "deploy:\n  listen: 127.0.0.1:18500\n  ports: {blue: 18500, green: 18501}\n"))
        let report = ManifestLoader.check(paths: [m], builtins: [:])
        assertError(report.errors, at: "7:17", in: m, contains: "port 18500 of service 'web' (deploy.ports.blue) is already used by service 'web' (deploy.listen) at \(m):6:11")
        XCTAssertEqual(report.errors.count, 1)
    }

    func testAMissingConfigFileIsOneClearError() throws {
        let tree = try TempTree()
        let errors = loadErrors { try ManifestLoader.load(configPath: tree.root + "/absent.yaml", manifestDirs: nil, builtins: [:]) }
        XCTAssertEqual(errors.map(\.description), ["\(tree.root)/absent.yaml:1:1: error: cannot read this file; check that it exists and is readable"])
    }

    func testErrorsPrintLikeACompiler() {
        let errors = ManifestErrors([
            ManifestError(SourceLocation(file: "manifests/web.yaml", line: 12, column: 5), "unknown key 'livenes'; did you mean 'liveness'?"),
            ManifestError(SourceLocation(file: "vigil.yaml", line: 1, column: 1), "x"),
        ])
        XCTAssertEqual(errors.description, "manifests/web.yaml:12:5: error: unknown key 'livenes'; did you mean 'liveness'?\nvigil.yaml:1:1: error: x")
    }
}
