import Foundation
import VigilTestKit

/// The `deploy` knobs of the rollout tests' service, with values that keep a rollout short:
/// analysis every 500ms over a 3s window, a 1s scale-down delay.
///
/// Every test changes only what it is about (`options.scaleDownDelay = "60s"` to hold `warm`).
struct BlueGreenOptions {
    var strategy = "blueGreen"
    /// The canary `steps` as a YAML flow list: `[{setWeight: 10}, {pause: 10s}, {setWeight: 50}]`.
    var steps: String?
    var autoPromote = true
    var analysisInterval = "500ms"
    var analysisWindow = "3s"
    var minRequests = 20
    var maxErrorRate = "1%"
    var maxLatencyP99 = "500ms"
    var drainTimeout = "5s"
    var scaleDownDelay = "1s"
    var progressDeadline = "60s"
    /// The `analysis.prometheus` mapping as a YAML flow map (``FakePrometheus/manifestYAML(successCondition:)``).
    var prometheus: String?
    var router = "builtin"
    /// The `nginx:` mapping as a YAML flow map, for `router: nginx`.
    var nginx: String?
    /// Manifest env on top of ``BlueGreenManifest/faultDefaults``: what the first revision runs
    /// (e.g. `["LATENCY": "25ms"]` for a baseline latency).
    var env: [String: String] = [:]
    /// Extra top-level manifest YAML (e.g. `resources: {memory: {high: 64Mi}}`).
    var extraYAML = ""
}

/// A blue-green service on `vigil-fixture` whose faults a deploy switches on with `--env`.
///
/// The command takes every fault from the environment, so `vigil deploy web --version v2 --env
/// ERROR_RATE=0.2` is a revision that answers 20% 5xx while the manifest's own revision (env
/// defaults below) is healthy:
///
/// ```yaml
/// command: [".../vigil-fixture", --port, "${PORT}", --error-rate, "${ERROR_RATE}", --latency, "${LATENCY}",
///           --ready-after, "${READY_AFTER}", --crash-after, "${CRASH_AFTER}"]
/// env: {ERROR_RATE: "0", LATENCY: 0ms, READY_AFTER: 0ms, CRASH_AFTER: 24h, VIGIL_TEST_MARKER: ...}
/// ```
///
/// The manifest's own revision has no `--version`: Vigil sets `VERSION` empty and the fixture
/// reports ``firstVersion``. Deploys name theirs (`v2`).
///
/// `VIGIL_TEST_MARKER` is unique per test: it finds the test's fixture processes in `/proc`.
/// What `vigil-fixture` reports as its version when `VERSION` is empty: the manifest's own
/// revision, the one serving before any deploy.
let firstVersion = "dev"

enum BlueGreenManifest {
    /// The healthy values of the fault variables (24h: "never" for a crash timer).
    static let faultDefaults: [String: String] = [
        "ERROR_RATE": "0", "LATENCY": "0ms", "READY_AFTER": "0ms", "CRASH_AFTER": "24h",
    ]

    static func yaml(service: String, listen: UInt16, blue: UInt16, green: UInt16, marker: String, options: BlueGreenOptions) throws -> String {
        let command = [
            try BuiltProducts.fixture, "--port", "${PORT}", "--error-rate", "${ERROR_RATE}", "--latency", "${LATENCY}",
            "--ready-after", "${READY_AFTER}", "--crash-after", "${CRASH_AFTER}",
        ]
        var env = faultDefaults.merging(options.env) { $1 }
        env["VIGIL_TEST_MARKER"] = marker
        let envYAML = env.sorted { $0.key < $1.key }.map { "\($0.key): \(yamlQuoted($0.value))" }.joined(separator: ", ")
        var deploy = """
            deploy:
              strategy: \(options.strategy)
              listen: 127.0.0.1:\(listen)
              ports: {blue: \(blue), green: \(green)}
              router: \(options.router)
              autoPromote: \(options.autoPromote)
              analysis: {interval: \(options.analysisInterval), window: \(options.analysisWindow), minRequests: \(options.minRequests), maxErrorRate: \(options.maxErrorRate), maxLatencyP99: \(options.maxLatencyP99)\(options.prometheus.map { ", prometheus: \($0)" } ?? "")}
              drainTimeout: \(options.drainTimeout)
              scaleDownDelay: \(options.scaleDownDelay)
              progressDeadline: \(options.progressDeadline)
              overridableEnv: [\(faultDefaults.keys.sorted().joined(separator: ", "))]

            """
        if let steps = options.steps { deploy += "  steps: \(steps)\n" }
        if let nginx = options.nginx { deploy += "  nginx: \(nginx)\n" }
        // Probes every 200-250ms: a color is ready (and a lost readiness seen) within a second.
        return """
            apiVersion: vigil/v1
            kind: Service
            name: \(service)
            command: [\(command.map(yamlQuoted).joined(separator: ", "))]
            env: {\(envYAML)}
            restart:
              policy: always
              backoff: {initial: 200ms, max: 2s, multiplier: 2, jitter: 0%}
            stop: {signal: SIGTERM, timeout: 5s}
            probes:
              startup: {http: {path: /health}, period: 200ms, failureThreshold: 150}
              readiness: {http: {path: /ready}, period: 250ms, timeout: 1s, failureThreshold: 2, successThreshold: 1}
            \(options.extraYAML)

            """ + deploy
    }
}
