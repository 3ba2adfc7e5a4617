import Foundation
import VigilManifest

/// What one instance is started with: its `${VAR}` values, argv, environment and working directory,
/// and the probes built against its port.
struct InstanceEnvironment: Sendable {
    let spec: ServiceSpec
    let color: String
    let port: UInt16?
    /// Directory of the manifest, the working directory when the spec names none.
    let manifestDir: String
    let resources: SupervisorResources

    /// `${NAME}` values: the builtins, then the service's own `env`, whose values may refer to
    /// builtins and to each other (`URL: "http://127.0.0.1:${PORT}${BASE}"`).
    func variables() throws -> [String: String] {
        var variables = [
            "SERVICE": spec.name, "COLOR": color, "STATE_DIR": resources.stateDir, "VIGIL_BIN": resources.vigilBinary,
            "REVISION": "", "VERSION": "", "RELEASE_DIR": "",
        ]
        if let port { variables["PORT"] = String(port) }
        // A deployed revision carries these in its effective spec's env (VigilDeploy's Revision).
        for key in ["REVISION", "VERSION", "RELEASE_DIR"] where spec.env[key] != nil { variables[key] = nil }
        var resolving: Set<String> = []
        func resolve(_ key: String) throws {
            guard variables[key] == nil, let raw = spec.env[key] else { return }
            guard resolving.insert(key).inserted else {
                throw LaunchError(command: spec.command.first ?? spec.name, reason: "env '\(key)' refers to itself through ${...}; break the cycle in the manifest's env")
            }
            for name in VariableExpansion.references(in: raw) where spec.env[name] != nil { try resolve(name) }
            variables[key] = try VariableExpansion.expand(raw, variables: variables)
            resolving.remove(key)
        }
        for key in spec.env.keys.sorted() { try resolve(key) }
        return variables
    }

    /// The child's complete environment: Vigil's own (PATH, ...), then with `user:` that user's
    /// HOME, USER, LOGNAME and SHELL, then the builtins and the service's env, which win.
    func childEnvironment(_ variables: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        environment.removeValue(forKey: "WATCHDOG_USEC")
        environment.removeValue(forKey: "WATCHDOG_PID")
        environment.removeValue(forKey: "LISTEN_FDS")
        if let user = spec.user, let login = try? ProcessLauncher.loginEnvironment(of: user) { environment.merge(login) { $1 } }
        environment.merge(variables) { $1 }
        environment["VIGIL_CONTROL"] = resources.controlSocket
        return environment
    }

    var workingDirectory: String { spec.workingDir ?? manifestDir }

    /// How to start the instance, marked with `marker` (``InstanceMarker``) in its environment.
    /// Exec probes get the same environment without the mark: they are not the instance.
    func launchSpec(marker: InstanceMarker) throws -> LaunchSpec {
        let variables = try variables()
        var environment = childEnvironment(variables)
        environment[InstanceMarker.variable] = marker.value
        return LaunchSpec(
            arguments: try spec.command.map { try VariableExpansion.expand($0, variables: variables) },
            environment: environment,
            workingDirectory: workingDirectory,
            user: spec.user
        )
    }

    func makeProbe(_ action: ProbeAction, resources: SupervisorResources) -> (any Probe)? {
        switch action {
        case .http(let path, let probePort, let scheme, let headers):
            guard let port = probePort ?? port else { return nil }
            return HTTPProbe(url: "\(scheme)://127.0.0.1:\(port)\(path)", headers: headers, client: resources.curl)
        case .tcp(let probePort):
            guard let port = probePort ?? port else { return nil }
            return TCPProbe(host: "127.0.0.1", port: port, client: resources.curl)
        case .exec(let command):
            guard let variables = try? variables(),
                  let arguments = try? command.map({ try VariableExpansion.expand($0, variables: variables) })
            else { return nil }
            return ExecProbe(arguments: arguments, environment: childEnvironment(variables), workingDirectory: workingDirectory, user: spec.user, watcher: resources.exits)
        }
    }
}
