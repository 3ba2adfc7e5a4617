import Foundation
import VigilControl
import VigilSupervisor
import VigilTestKit
import XCTest

/// A real `vigil up` in a temporary directory, with its manifests, control socket and CLI.
///
/// Integration tests talk to it exactly as an operator would: the `vigil` binary for commands,
/// the control socket for status and events, the fixtures' own HTTP ports for their faults.
final class VigilProcess {
    let directory: TemporaryDirectory
    var manifestsDir: String { directory.appending("manifests") }
    var stateDir: String { directory.appending("state") }
    var socketPath: String { stateDir + "/control.sock" }
    var configPath: String { directory.appending("vigil.yaml") }
    private(set) var process: ProcessHandle?

    init() throws {
        directory = try TemporaryDirectory(prefix: "vi")
        try FileManager.default.createDirectory(atPath: manifestsDir, withIntermediateDirectories: true)
        try supervisorConfig(stateDir: stateDir, manifestsDir: manifestsDir).write(toFile: configPath, atomically: true, encoding: .utf8)
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

    func writeManifest(_ name: String, _ yaml: String) throws {
        try yaml.write(toFile: "\(manifestsDir)/\(name).yaml", atomically: true, encoding: .utf8)
    }

    /// Starts `vigil up` and waits until its control API answers.
    func start(file: StaticString = #filePath, line: UInt = #line) throws {
        let handle = try ProcessHandle(
            executable: try BuiltProducts.vigil, arguments: ["up", "--config", configPath],
            outputPath: directory.appending("vigil-\(Int.random(in: 0..<1_000_000)).out")
        )
        process = handle
        let up = poll(timeout: .seconds(30)) { (try? client.send("GET", "/v1/status")) != nil || !handle.isRunning }
        guard up, handle.isRunning else {
            XCTFail("vigil up did not come up:\n\(handle.output)", file: file, line: line)
            throw TestKitError("vigil up failed")
        }
    }

    var client: ControlClient { ControlClient(endpoint: .unixSocket(socketPath), token: nil) }

    func status() throws -> StatusReport {
        try client.send("GET", "/v1/status").decode(StatusReport.self)
    }

    func instance(_ service: String) throws -> InstanceStatus? {
        try status().services.first { $0.name == service }?.instances.first
    }

    func events(service: String? = nil) throws -> [SupervisorEvent] {
        struct List: Decodable { let events: [SupervisorEvent] }
        let query = service.map { "?since=0&limit=5000&service=\($0)" } ?? "?since=0&limit=5000"
        return try client.send("GET", "/v1/events" + query).decode(List.self).events
    }

    /// Polls until `condition` holds for the service's instance; the last status seen otherwise.
    @discardableResult
    func waitFor(_ service: String, timeout: Duration = .seconds(30), _ condition: (InstanceStatus) -> Bool) -> InstanceStatus? {
        var last: InstanceStatus?
        let held = poll(timeout: timeout, interval: .milliseconds(100)) {
            last = try? instance(service)
            return last.map(condition) ?? false
        }
        return held ? last : nil
    }

    /// Runs the `vigil` CLI against this supervisor; returns its exit code and output.
    func cli(_ arguments: [String], passConfig: Bool = true, timeout: Duration = .seconds(60)) throws -> (code: Int32?, output: String) {
        let handle = try ProcessHandle(executable: try BuiltProducts.vigil, arguments: arguments + (passConfig ? ["--config", configPath] : []))
        let code = handle.waitForExit(timeout: timeout)
        return (code, handle.output)
    }

    /// The pid a process wrote to `path`, once it is there.
    func waitForPid(inFile path: String) -> pid_t? {
        var pid: pid_t?
        _ = poll {
            pid = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return pid != nil
        }
        return pid
    }

    var output: String { process?.output ?? "" }
}
