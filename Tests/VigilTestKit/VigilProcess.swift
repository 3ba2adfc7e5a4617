import Foundation
import VigilControl
import VigilSupervisor

/// A real `vigil up` in a temporary directory, with its manifests, control socket and CLI.
///
/// Integration tests talk to it exactly as an operator would: the `vigil` binary for commands,
/// the control socket for status and events, the fixtures' own HTTP ports for their faults.
///
/// ```swift
/// let vigil = try VigilProcess(extraConfigYAML: "metrics: {listen: 127.0.0.1:\(port)}")
/// try vigil.writeManifest("web", fixtureManifest(name: "web", port: try freeTCPPort()))
/// try vigil.start()
/// XCTAssertNotNil(vigil.waitFor("web") { $0.state == "running" })
/// ```
public final class VigilProcess {
    public let directory: TemporaryDirectory
    public var manifestsDir: String { directory.appending("manifests") }
    public var stateDir: String { directory.appending("state") }
    public var socketPath: String { stateDir + "/control.sock" }
    public var configPath: String { directory.appending("vigil.yaml") }
    public private(set) var process: ProcessHandle?

    /// - Parameter extraConfigYAML: appended to `vigil.yaml` (top-level keys at column 0).
    public init(extraConfigYAML: String = "") throws {
        directory = try TemporaryDirectory(prefix: "vi")
        try FileManager.default.createDirectory(atPath: manifestsDir, withIntermediateDirectories: true)
        try supervisorConfig(stateDir: stateDir, manifestsDir: manifestsDir, extraYAML: extraConfigYAML)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Stops Vigil as an operator would, so it stops its services: a SIGKILL here would orphan
    /// every fixture it supervised.
    deinit {
        if let process, process.isRunning {
            process.terminate(signal: SIGTERM)
            if process.waitForExit(timeout: .seconds(30)) == nil {
                process.terminate(signal: SIGKILL, group: true)
            }
        }
        directory.remove()
    }

    public func writeManifest(_ name: String, _ yaml: String) throws {
        try yaml.write(toFile: "\(manifestsDir)/\(name).yaml", atomically: true, encoding: .utf8)
    }

    /// Starts `vigil up` and waits until its control API answers; throws, with Vigil's output,
    /// when it exits or does not answer within 30 s. `environment` is added to the test's own.
    public func start(environment: [String: String] = [:]) throws {
        let handle = try ProcessHandle(
            executable: try BuiltProducts.vigil, arguments: ["up", "--config", configPath], environment: environment,
            outputPath: directory.appending("vigil-\(Int.random(in: 0..<1_000_000)).out")
        )
        process = handle
        let up = poll(timeout: .seconds(30)) { (try? client.send("GET", "/v1/status")) != nil || !handle.isRunning }
        guard up, handle.isRunning else {
            throw TestKitError("vigil up did not come up:\n\(handle.output)")
        }
    }

    public var client: ControlClient { ControlClient(endpoint: .unixSocket(socketPath), token: nil) }

    public func status() throws -> StatusReport {
        try client.send("GET", "/v1/status").decode(StatusReport.self)
    }

    public func instance(_ service: String) throws -> InstanceStatus? {
        try status().services.first { $0.name == service }?.instances.first
    }

    public func events(service: String? = nil) throws -> [SupervisorEvent] {
        struct List: Decodable { let events: [SupervisorEvent] }
        let query = service.map { "?since=0&limit=5000&service=\($0)" } ?? "?since=0&limit=5000"
        return try client.send("GET", "/v1/events" + query).decode(List.self).events
    }

    /// Polls until `condition` holds for the service's instance; the last status seen otherwise.
    @discardableResult
    public func waitFor(_ service: String, timeout: Duration = .seconds(30), _ condition: (InstanceStatus) -> Bool) -> InstanceStatus? {
        var last: InstanceStatus?
        let held = poll(timeout: timeout, interval: .milliseconds(100)) {
            last = try? instance(service)
            return last.map(condition) ?? false
        }
        return held ? last : nil
    }

    /// Runs the `vigil` CLI against this supervisor; returns its exit code and output.
    public func cli(_ arguments: [String], passConfig: Bool = true, timeout: Duration = .seconds(60)) throws -> (code: Int32?, output: String) {
        let handle = try ProcessHandle(executable: try BuiltProducts.vigil, arguments: arguments + (passConfig ? ["--config", configPath] : []))
        let code = handle.waitForExit(timeout: timeout)
        return (code, handle.output)
    }

    /// The pid a process wrote to `path`, once it is there.
    public func waitForPid(inFile path: String) -> pid_t? {
        var pid: pid_t?
        _ = poll {
            pid = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return pid != nil
        }
        return pid
    }

    public var output: String { process?.output ?? "" }
}
