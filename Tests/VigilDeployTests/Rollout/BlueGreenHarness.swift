import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// A real `vigil up` with one blue-green service on `vigil-fixture` (``BlueGreenManifest``), its
/// router on a free loopback port, and the CLI an operator would use: `vigil deploy`, `promote`,
/// `rollback`, `history`, `status --json`.
///
/// ```swift
/// let harness = try BlueGreenHarness.started { $0.progressDeadline = "6s" }   // the first revision serves on harness.listenPort
/// let deploy = try harness.deploy("v2", env: ["ERROR_RATE": "0.2"])
/// XCTAssertEqual(deploy.code, 3, deploy.output)      // rolled back
/// ```
///
/// Stopping it (deinit, or ``stop()``) stops Vigil with SIGTERM, then SIGKILLs any fixture of
/// this test still alive, and reports them: nothing a test starts outlives it.
final class BlueGreenHarness {
    let service: String
    let options: BlueGreenOptions
    let vigil: VigilProcess
    let listenPort: UInt16
    let ports: [String: UInt16]
    /// Unique per harness; in every fixture's environment (``FixtureCensus``).
    let marker: String

    /// - Parameters:
    ///   - listenPort: `deploy.listen`'s port (nginx's when `router: nginx`); a free one by default.
    ///   - colorPorts: `deploy.ports`; free ones by default.
    init(
        service: String = "web", options: BlueGreenOptions = .init(), extraConfigYAML: String = "",
        listenPort: UInt16? = nil, colorPorts: [String: UInt16]? = nil
    ) throws {
        self.service = service
        self.options = options
        vigil = try VigilProcess(extraConfigYAML: extraConfigYAML)
        self.listenPort = try listenPort ?? freeTCPPort()
        ports = try colorPorts ?? ["blue": freeTCPPort(), "green": freeTCPPort()]
        marker = "bg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try vigil.writeManifest(service, BlueGreenManifest.yaml(
            service: service, listen: self.listenPort, blue: ports["blue"]!, green: ports["green"]!, marker: marker, options: options
        ))
    }

    /// A harness on the default options changed by `configure`, started: the first revision
    /// serves behind the router.
    static func started(
        file: StaticString = #filePath, line: UInt = #line, _ configure: (inout BlueGreenOptions) -> Void = { _ in }
    ) throws -> BlueGreenHarness {
        var options = BlueGreenOptions()
        configure(&options)
        let harness = try BlueGreenHarness(options: options)
        try harness.start(file: file, line: line)
        return harness
    }

    deinit { stop() }

    /// Stops Vigil (SIGTERM: it stops its services) and kills whatever fixture is left.
    /// Returns the leftovers, which a test may assert to be none.
    @discardableResult
    func stop() -> [FixtureProcess] {
        if let process = vigil.process, process.isRunning {
            process.terminate(signal: SIGTERM)
            if process.waitForExit(timeout: .seconds(30)) == nil { process.terminate(signal: SIGKILL) }
        }
        _ = poll(timeout: .seconds(10), interval: .milliseconds(100)) { FixtureCensus.processes(marker: marker).isEmpty }
        return FixtureCensus.killAll(marker: marker)
    }

    // MARK: - Vigil

    /// Starts `vigil up` and waits until the first revision (``firstVersion``) is ready and answers through
    /// the router.
    func start(file: StaticString = #filePath, line: UInt = #line) throws {
        try vigil.start()
        let serving = poll(timeout: .seconds(60), interval: .milliseconds(100)) {
            guard let status = try? self.status(), status.activeColor != nil,
                  status.instances.contains(where: { $0.color == status.activeColor && $0.ready }) else { return false }
            return self.servedVersion() == firstVersion
        }
        guard serving else {
            let status = (try? self.status()).map { "\($0)" } ?? "no status"
            XCTFail("the first revision did not come up behind the router on \(listenPort): \(status)\n\(vigil.output)", file: file, line: line)
            throw TestKitError("the blue-green service did not come up")
        }
    }

    /// `kill -9` of Vigil alone: its services (own process groups) are orphaned, as after a crash.
    func killVigil() {
        guard let process = vigil.process else { return }
        process.terminate(signal: SIGKILL)
        process.waitForExit(timeout: .seconds(10))
    }

    /// `vigil up` again on the same state dir; returns once the control API answers.
    func restartVigil() throws {
        try vigil.start()
    }

    // MARK: - CLI

    struct CLIResult {
        var code: Int32?
        var output: String
    }

    /// `vigil ARGUMENTS --config ...`, waiting for it to exit.
    func cli(_ arguments: [String], timeout: Duration = .seconds(60)) throws -> CLIResult {
        let result = try vigil.cli(arguments, timeout: timeout)
        return CLIResult(code: result.code, output: result.output)
    }

    /// `vigil deploy SERVICE --version VERSION --env K=V... [--wait]`, waiting for it to exit
    /// (without `wait`, it exits once the rollout has started).
    func deploy(_ version: String, env: [String: String] = [:], wait: Bool = true, timeout: Duration = .seconds(180)) throws -> CLIResult {
        try cli(deployArguments(version, env: env, wait: wait), timeout: timeout)
    }

    /// The same, in the background: the test watches phases (or acts) while it waits.
    func startDeploy(_ version: String, env: [String: String] = [:], wait: Bool = true) throws -> ProcessHandle {
        try ProcessHandle(executable: try BuiltProducts.vigil, arguments: deployArguments(version, env: env, wait: wait) + ["--config", vigil.configPath])
    }

    private func deployArguments(_ version: String, env: [String: String], wait: Bool) -> [String] {
        ["deploy", service, "--version", version] + env.sorted { $0.key < $1.key }.flatMap { ["--env", "\($0.key)=\($0.value)"] } + (wait ? ["--wait"] : [])
    }

    func promote(step: Bool = false) throws -> CLIResult { try cli(["promote", service] + (step ? ["--step"] : [])) }
    func rollback() throws -> CLIResult { try cli(["rollback", service]) }

    /// The service in `vigil status --json` (the CLI, as a script would read it).
    func status() throws -> ServiceStatus {
        let result = try cli(["status", service, "--json"], timeout: .seconds(20))
        guard result.code == 0 else { throw TestKitError("vigil status --json exited \(String(describing: result.code)): \(result.output)") }
        let json = Self.jsonObject(in: result.output)
        if let report = try? VigilJSON.decoder().decode(StatusReport.self, from: Data(json.utf8)),
           let mine = report.services.first(where: { $0.name == service }) {
            return mine
        }
        return try VigilJSON.decoder().decode(ServiceStatus.self, from: Data(json.utf8))
    }

    /// The rollouts of `vigil history SERVICE --json`, newest first.
    func history() throws -> [HistoryRollout] {
        let result = try cli(["history", service, "--json"], timeout: .seconds(20))
        guard result.code == 0 else { throw TestKitError("vigil history --json exited \(String(describing: result.code)): \(result.output)") }
        return try HistoryRollout.parse(Self.jsonObject(in: result.output))
    }

    /// The JSON document in a command's output (stdout and stderr share the file: skip any
    /// log line before the `{`).
    static func jsonObject(in output: String) -> String {
        guard let start = output.firstIndex(where: { $0 == "{" || $0 == "[" }) else { return output }
        return String(output[start...])
    }

    // MARK: - Waiting on rollouts

    /// Polls `vigil status --json` until the rollout is in `phase`; the status then, nil otherwise.
    @discardableResult
    func waitForPhase(_ phase: String, timeout: Duration = .seconds(60)) -> ServiceStatus? {
        waitForStatus(timeout: timeout) { $0.rollout?.phase == phase }
    }

    /// Polls until no rollout is in progress (`rollout` is null or finished) and `condition` holds.
    @discardableResult
    func waitForStatus(timeout: Duration = .seconds(60), _ condition: (ServiceStatus) -> Bool) -> ServiceStatus? {
        var last: ServiceStatus?
        let held = poll(timeout: timeout, interval: .milliseconds(100)) {
            last = try? status()
            return last.map(condition) ?? false
        }
        return held ? last : nil
    }

    /// Waits until no rollout runs any more: status shows none in progress.
    @discardableResult
    func waitForNoRollout(timeout: Duration = .seconds(90)) -> ServiceStatus? {
        waitForStatus(timeout: timeout) { status in
            guard let phase = status.rollout?.phase else { return true }
            return ["completed", "rolled_back", "aborted"].contains(phase)
        }
    }

    // MARK: - Traffic

    /// The `version` a single request through the router is answered with (nil on failure).
    func servedVersion() -> String? {
        guard let response = SimpleHTTP.get(port: listenPort, path: "/"), response.status == 200 else { return nil }
        let fields = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
        return fields?["version"] as? String
    }

    /// A steady keep-alive load through the router, bounded in time and count.
    func startLoad(connections: Int = 4, maxDuration: Duration = .seconds(150), maxRequests: Int = 400_000) -> LoopbackLoad {
        let load = LoopbackLoad(port: listenPort, connections: connections, maxDuration: maxDuration, maxRequests: maxRequests)
        load.start()
        return load
    }

    /// Exactly `count` requests through the router on `connections` keep-alive connections.
    func batch(_ count: Int, connections: Int = 4) -> LoopbackLoad.Result {
        let load = LoopbackLoad(port: listenPort, connections: connections, maxDuration: .seconds(60), maxRequests: count)
        load.start()
        return load.stop(waitingForBudget: true)
    }

    /// The fixture processes of this test that are alive now.
    var fixtures: [FixtureProcess] { FixtureCensus.processes(marker: marker) }
}

/// One rollout of `vigil history --json`, the fields the tests read.
struct HistoryRollout: Decodable {
    var id: String
    var revision: String
    var phase: String
    var result: String?
    var reason: String?

    /// Accepts `{"rollouts": [...]}` (possibly beside other keys) or a bare array.
    static func parse(_ json: String) throws -> [HistoryRollout] {
        struct Wrapped: Decodable { var rollouts: [HistoryRollout] }
        let data = Data(json.utf8)
        if let wrapped = try? VigilJSON.decoder().decode(Wrapped.self, from: data) { return wrapped.rollouts }
        return try VigilJSON.decoder().decode([HistoryRollout].self, from: data)
    }
}

extension LoopbackLoad.Result {
    /// Counts added since `earlier` (a snapshot of the same load).
    func since(_ earlier: LoopbackLoad.Result) -> LoopbackLoad.Result {
        var delta = self   // Result's memberwise init is internal to VigilTestKit
        delta.failures = Array(failures.dropFirst(earlier.failures.count))
        delta.succeeded = succeeded - earlier.succeeded
        delta.failed = failed - earlier.failed
        delta.byColor = [:]
        delta.byVersion = [:]
        delta.byStatus = [:]
        for (color, count) in byColor { delta.byColor[color] = count - (earlier.byColor[color] ?? 0) }
        for (version, count) in byVersion { delta.byVersion[version] = count - (earlier.byVersion[version] ?? 0) }
        for (status, count) in byStatus { delta.byStatus[status] = count - (earlier.byStatus[status] ?? 0) }
        return delta
    }

    /// Percentage of successful answers that came from `color`.
    func share(of color: String) -> Double {
        succeeded == 0 ? 0 : Double(byColor[color] ?? 0) * 100 / Double(succeeded)
    }
}
