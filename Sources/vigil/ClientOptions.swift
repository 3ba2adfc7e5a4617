import ArgumentParser
import Foundation
import VigilControl
import VigilManifest

/// Options every client command shares: where Vigil's control API is and how to authenticate.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "Control socket path or http(s):// URL (default: VIGIL_CONTROL, else the config's control.socket).")
    var control: String?

    @Option(name: .long, help: "Bearer token for a TCP control listener (or VIGIL_TOKEN).")
    var token: String?

    @Option(name: .long, help: "Supervisor config to read the control socket and state dir from (default: ./vigil.yaml).")
    var config: String?

    func client() -> ControlClient {
        let environment = ProcessInfo.processInfo.environment
        let endpoint = control ?? environment["VIGIL_CONTROL"] ?? supervisorSettings().control.socket
        return ControlClient(endpoint: .parse(endpoint), token: token ?? environment["VIGIL_TOKEN"])
    }

    /// The supervisor settings, without reading manifests (clients only need paths).
    func supervisorSettings() -> SupervisorConfig {
        if let settings = try? ManifestLoader.loadSettings(configPath: config) {
            return settings
        }
        let stateDir = FileManager.default.currentDirectoryPath + "/.vigil"
        return SupervisorConfig(stateDir: stateDir, manifestDirs: [], control: .init(socket: stateDir + "/control.sock"))
    }
}

/// Runs a control call and turns a failure into a message and exit code 1.
func callControl<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ControlClientError {
        printError(error.description)
        throw ExitCode(1)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("vigil: \(message)\n".utf8))
}
