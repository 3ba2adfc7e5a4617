import VigilManifest
import XCTest

/// A complete, valid config and manifest load into exactly the values written, and an almost
/// empty manifest gets exactly the model's defaults.
final class RoundTripTests: XCTestCase {
    static let config = """
        apiVersion: vigil/v1
        kind: Supervisor
        stateDir: state
        manifests: [services]
        control:
          socket: run/control.sock
          listen: 127.0.0.1:9470
          tokens:
            - {name: ci, sha256: "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789", role: operator}
            - {name: root, sha256: "0000000000000000000000000000000000000000000000000000000000000000", role: admin}
          webhooks:
            - {name: github, secretFile: hook.secret, services: [soc-engine]}
        metrics: {listen: 127.0.0.1:9469}
        reclaim:
          interval: 2s
          disk:
            - path: data
              highWatermark: 90%
              lowWatermark: 0.8
              clean: [logs, releases, {glob: "data/tmp/soc-*", olderThan: 1h}]
          memory: {hostHighWatermark: 85%}
        notify:
          webhooks:
            - {url: "http://127.0.0.1:9999/hook", events: [rollout, crashloop]}
            - {url: "https://example.com/all"}

        """

    static let manifest = """
        apiVersion: vigil/v1
        kind: Service
        name: soc-engine
        command: ["${VIGIL_BIN}", engine, serve, --listen, "127.0.0.1:${PORT}", "--max=${MAX_STORED_THREATS}"]
        workingDir: work
        user: root
        env: {MAX_STORED_THREATS: "10000", RETRIES: 3}
        releases: {dir: releases, keep: 4}
        restart:
          policy: on-failure
          backoff: {initial: 200ms, max: 1m, multiplier: 1.5, jitter: 5%}
          resetAfter: 2m
          crashLoop: {restarts: 7, within: 90s}
        stop: {signal: INT, timeout: 1m30s}
        probes:
          startup:   {http: {path: /health, port: 9000, scheme: https, headers: {Host: soc.local}}, period: 1s, failureThreshold: 30}
          liveness:  {tcp: {port: 9001}, initialDelay: 3s, period: 5s, timeout: 2s, failureThreshold: 4}
          readiness: {exec: {command: [/bin/sh, -c, "test -f ${STATE_DIR}/ready"]}, successThreshold: 2}
        resources:
          memory: {high: 256Mi, max: 512Mi}
        logs: {maxSize: 1Mi, keep: 0, compress: false, rateLimit: {lines: 10000, per: 10s}}
        deploy:
          strategy: canary
          listen: 127.0.0.1:8080
          ports: {blue: 18080, green: 18081}
          router: nginx
          nginx: {upstreamFile: nginx/upstream.conf, reload: [/usr/sbin/nginx, -s, reload]}
          autoPromote: false
          steps: [{setWeight: 10}, {pause: 30s}, {setWeight: 50}, {pause: {}}]
          analysis:
            interval: 1s
            window: 10s
            minRequests: 5
            maxErrorRate: 2%
            maxLatencyP99: 250ms
            prometheus: {url: "http://127.0.0.1:9090", query: "sum(rate(x[1m]))", successCondition: "< 0.01"}
          drainTimeout: 10s
          scaleDownDelay: 0s
          progressDeadline: 10m
          standby: warm

        """

    func testFullConfigAndManifestLoadEveryField() throws {
        let tree = try TempTree()
        let configPath = try tree.write("etc/vigil.yaml", Self.config)
        try tree.write("etc/services/soc-engine.yaml", Self.manifest)
        try tree.mkdir("etc/services/work")
        let loaded = try ManifestLoader.load(configPath: configPath, manifestDirs: nil, builtins: ["VIGIL_BIN": "/bin/true"])
        let etc = tree.root + "/etc"

        let supervisor = loaded.supervisor
        XCTAssertEqual(supervisor.file, configPath)
        XCTAssertEqual(supervisor.stateDir, etc + "/state")
        XCTAssertEqual(supervisor.manifestDirs, [etc + "/services"])
        XCTAssertEqual(supervisor.control.socket, etc + "/run/control.sock")
        XCTAssertEqual(supervisor.control.listen, HostPort(host: "127.0.0.1", port: 9470))
        XCTAssertEqual(supervisor.control.tokens, [
            TokenConfig(name: "ci", sha256: "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", role: .operator),
            TokenConfig(name: "root", sha256: String(repeating: "0", count: 64), role: .admin),
        ])
        XCTAssertEqual(supervisor.control.webhooks, [WebhookConfig(name: "github", secretFile: etc + "/hook.secret", services: ["soc-engine"])])
        XCTAssertEqual(supervisor.metrics, MetricsConfig(listen: HostPort(host: "127.0.0.1", port: 9469)))
        XCTAssertEqual(supervisor.reclaim, ReclaimConfig(
            interval: .seconds(2),
            disk: [DiskReclaimConfig(path: etc + "/data", highWatermark: Ratio(0.9), lowWatermark: Ratio(0.8),
                                     clean: [.logs, .releases, .glob(pattern: etc + "/data/tmp/soc-*", olderThan: .seconds(3600))])],
            memory: MemoryReclaimConfig(hostHighWatermark: Ratio(0.85))))
        XCTAssertEqual(supervisor.notify.webhooks, [
            .init(url: "http://127.0.0.1:9999/hook", events: ["rollout", "crashloop"]),
            .init(url: "https://example.com/all", events: ["rollout", "rollback", "crashloop", "reclaim"]),
        ])

        XCTAssertEqual(loaded.services.count, 1)
        let service = try XCTUnwrap(loaded.service(named: "soc-engine"))
        XCTAssertEqual(service.origin, SourceLocation(file: etc + "/services/soc-engine.yaml", line: 3, column: 1))
        let expected = ServiceSpec(
            name: "soc-engine",
            command: ["${VIGIL_BIN}", "engine", "serve", "--listen", "127.0.0.1:${PORT}", "--max=${MAX_STORED_THREATS}"],
            workingDir: etc + "/services/work",
            user: "root",
            env: ["MAX_STORED_THREATS": "10000", "RETRIES": "3"],
            releases: ReleasesSpec(dir: etc + "/services/releases", keep: 4),
            port: nil,
            restart: RestartSpec(
                policy: .onFailure,
                backoff: BackoffSpec(initial: .milliseconds(200), max: .seconds(60), multiplier: 1.5, jitter: Ratio(0.05)),
                resetAfter: .seconds(120),
                crashLoop: CrashLoopSpec(restarts: 7, within: .seconds(90))),
            stop: StopSpec(signal: SignalName(name: "SIGINT", number: 2), timeout: .seconds(90)),
            probes: ProbesSpec(
                startup: ProbeSpec(action: .http(path: "/health", port: 9000, scheme: "https", headers: ["Host": "soc.local"]), period: .seconds(1), failureThreshold: 30),
                liveness: ProbeSpec(action: .tcp(port: 9001), initialDelay: .seconds(3), period: .seconds(5), timeout: .seconds(2), failureThreshold: 4),
                readiness: ProbeSpec(action: .exec(command: ["/bin/sh", "-c", "test -f ${STATE_DIR}/ready"]), successThreshold: 2)),
            resources: ResourcesSpec(memoryHigh: ByteSize(bytes: 256 << 20), memoryMax: ByteSize(bytes: 512 << 20)),
            logs: LogSpec(maxSize: ByteSize(bytes: 1 << 20), keep: 0, compress: false, rateLimit: LogRateLimit(amount: .lines(10000), per: .seconds(10))),
            deploy: DeploySpec(
                strategy: .canary,
                listen: HostPort(host: "127.0.0.1", port: 8080),
                ports: [.blue: 18080, .green: 18081],
                router: .nginx,
                nginx: NginxSpec(upstreamFile: etc + "/services/nginx/upstream.conf", reload: ["/usr/sbin/nginx", "-s", "reload"]),
                autoPromote: false,
                steps: [.setWeight(10), .pause(.seconds(30)), .setWeight(50), .pause(nil)],
                analysis: AnalysisSpec(
                    interval: .seconds(1), window: .seconds(10), minRequests: 5, maxErrorRate: Ratio(0.02), maxLatencyP99: .milliseconds(250),
                    prometheus: .init(url: "http://127.0.0.1:9090", query: "sum(rate(x[1m]))", successCondition: "< 0.01")),
                drainTimeout: .seconds(10),
                scaleDownDelay: .zero,
                progressDeadline: .seconds(600),
                standby: .warm))
        XCTAssertEqual(service.spec.name, expected.name)
        XCTAssertEqual(service.spec.command, expected.command)
        XCTAssertEqual(service.spec.workingDir, expected.workingDir)
        XCTAssertEqual(service.spec.env, expected.env)
        XCTAssertEqual(service.spec.releases, expected.releases)
        XCTAssertEqual(service.spec.restart, expected.restart)
        XCTAssertEqual(service.spec.stop, expected.stop)
        XCTAssertEqual(service.spec.probes, expected.probes)
        XCTAssertEqual(service.spec.resources, expected.resources)
        XCTAssertEqual(service.spec.logs, expected.logs)
        XCTAssertEqual(service.spec.deploy, expected.deploy)
        XCTAssertEqual(service.spec, expected)
    }

    func testMinimalManifestGetsTheModelDefaults() throws {
        let tree = try TempTree()
        try tree.write("manifests/api.yaml", """
            apiVersion: vigil/v1
            kind: Service
            name: api
            command: [sh, -c, "exec sleep 1000"]
            port: 18500
            probes:
              liveness: {http: {}}
            """)
        let loaded = try tree.inside { try ManifestLoader.load(configPath: nil, manifestDirs: nil, builtins: [:]) }
        XCTAssertEqual(loaded.supervisor, SupervisorConfig(
            stateDir: tree.root + "/.vigil", manifestDirs: [tree.root + "/manifests"],
            control: ControlConfig(socket: tree.root + "/.vigil/control.sock")))
        let spec = try XCTUnwrap(loaded.service(named: "api")).spec
        XCTAssertEqual(spec, ServiceSpec(
            name: "api", command: ["sh", "-c", "exec sleep 1000"], port: 18500,
            probes: ProbesSpec(liveness: ProbeSpec(action: .http(path: "/", port: nil, scheme: "http", headers: [:])))))
        let probe = try XCTUnwrap(spec.probes.liveness)
        XCTAssertEqual(probe.period, .seconds(10))
        XCTAssertEqual(probe.timeout, .seconds(1))
        XCTAssertEqual(probe.initialDelay, .zero)
        XCTAssertEqual(probe.successThreshold, 1)
        XCTAssertEqual(probe.failureThreshold, 3)
        XCTAssertEqual(spec.restart.policy, .always)
        XCTAssertEqual(spec.restart.backoff.initial, .milliseconds(100))
        XCTAssertEqual(spec.stop.signal, .term)
        XCTAssertEqual(spec.logs.maxSize.bytes, 10 << 20)
        XCTAssertNil(spec.logs.rateLimit, "no rate limit unless asked for")
        XCTAssertNil(spec.workingDir)
        XCTAssertNil(spec.deploy)
    }

    func testZeroInitialBackoffMeansRestartAtOnce() throws {
        let tree = try TempTree()
        try tree.write("manifests/api.yaml", """
            apiVersion: vigil/v1
            kind: Service
            name: api
            command: [sh, -c, "exit 1"]
            restart: {backoff: {initial: 0s, max: 5s}}
            """)
        let loaded = try tree.inside { try ManifestLoader.load(configPath: nil, manifestDirs: nil, builtins: [:]) }
        XCTAssertEqual(loaded.service(named: "api")?.spec.restart.backoff.initial, .zero)
        XCTAssertEqual(loaded.service(named: "api")?.spec.restart.backoff.max, .seconds(5))
    }

    func testBlueGreenDefaultsAndMultiDocumentFilesInNameOrder() throws {
        let tree = try TempTree()
        try tree.write("manifests/b.yml", """
            apiVersion: vigil/v1
            kind: Service
            name: web
            command: [/bin/sh]
            deploy:
              listen: 127.0.0.1:8080
              ports: {blue: 18080, green: 18081}
            ---
            apiVersion: vigil/v1
            kind: Service
            name: worker
            command: [/bin/sh]
            ---
            """)
        try tree.write("manifests/a.yaml", """
            # leading comment
            ---
            apiVersion: vigil/v1
            kind: Service
            name: alpha
            command: [./bin/run.sh]
            """)
        try tree.write("manifests/bin/run.sh", "#!/bin/sh\nexit 0\n", executable: true)
        try tree.write("manifests/notes.txt", "not yaml: [")
        let loaded = try ManifestLoader.load(configPath: nil, manifestDirs: [tree.root + "/manifests"], builtins: [:])
        XCTAssertEqual(loaded.services.map(\.spec.name), ["alpha", "web", "worker"])
        XCTAssertEqual(loaded.service(named: "alpha")?.spec.command, [tree.root + "/manifests/bin/run.sh"])
        XCTAssertEqual(loaded.service(named: "worker")?.origin.line, 11)
        let deploy = try XCTUnwrap(loaded.service(named: "web")?.spec.deploy)
        XCTAssertEqual(deploy, DeploySpec(listen: HostPort(host: "127.0.0.1", port: 8080), ports: [.blue: 18080, .green: 18081]))
        XCTAssertEqual(deploy.strategy, .blueGreen)
        XCTAssertEqual(deploy.router, .builtin)
        XCTAssertEqual(deploy.progressDeadline, .seconds(300))
        XCTAssertEqual(deploy.analysis.maxErrorRate, Ratio(0.01))
        XCTAssertEqual(deploy.standby, .cold)
        XCTAssertTrue(deploy.autoPromote)
    }
}
