import Yams

/// Turns one `kind: Service` document into a ``ServiceSpec``, reporting every problem it finds
/// and filling in the model's defaults for what is not written.
///
/// The result is nil when the document has no usable name, and marked invalid when it had any
/// other problem, so a half-valid service never reaches the supervisor.
struct ServiceDecoder {
    static let keys = [
        "apiVersion", "kind", "name", "command", "workingDir", "user", "env", "releases", "port",
        "restart", "stop", "probes", "resources", "logs", "deploy", "controlRole",
    ]

    let reader: NodeReader
    /// Variable values known at load time (`VIGIL_BIN`), used to check that the command exists.
    let builtins: [String: String]

    func decode(_ document: Node) -> DecodedService? {
        let errorsBefore = reader.diagnostics.errors.count
        guard let root = reader.mapping(document, "", keys: Self.keys, label: "Service") else { return nil }

        let name = root.requireKey("name", example: "my-service").flatMap(decodeName) ?? ""
        let command = root.requireKey("command", example: "[/usr/bin/app, --port, \"${PORT}\"]").flatMap { reader.argv($0, "command") }
        let workingDir = root.read("workingDir", NodeReader.nonEmptyString).map(reader.absolutePath)
        let user = root.read("user", NodeReader.nonEmptyString)
        let env = root["env"].flatMap(decodeEnv) ?? [:]
        let releases = decodeReleases(root)
        let port = root.read("port", NodeReader.port)
        let deploy = root.mapping("deploy", keys: Self.deployKeys).flatMap(decodeDeploy)
        let probes = root.mapping("probes", keys: ProbeKind.allCases.map(\.rawValue))
            .map { decodeProbes($0, servicePort: port, deployPorts: root.has("deploy")) } ?? ProbesSpec()

        if port != nil, root.has("deploy") {
            reader.diagnostics.error(root.location(of: "port"), "a service with a deploy section gets its ports from deploy.ports (one per color) and its public address from deploy.listen; remove 'port'")
        }
        var spec = ServiceSpec(
            name: name, command: command ?? [], workingDir: workingDir, user: user, env: env, releases: releases,
            port: port, restart: root.mapping("restart", keys: Self.restartKeys).map(decodeRestart) ?? RestartSpec(),
            stop: root.mapping("stop", keys: ["signal", "timeout"]).map(decodeStop) ?? StopSpec(),
            probes: probes, resources: decodeResources(root), logs: root.mapping("logs", keys: ["maxSize", "keep", "compress", "rateLimit"]).map(decodeLogs) ?? LogSpec(),
            deploy: deploy
        )
        spec.controlRole = root["controlRole"].flatMap { reader.choice($0, "controlRole", Role.self, allowed: Role.allCases) }
        let checks = HostChecks(reader: reader, builtins: builtins.merging(["SERVICE": name]) { given, _ in given })
        if command != nil {
            spec.command = checks.checkCommand(spec, root)
        }
        checks.checkVariables(spec, root)
        checks.checkWorkingDir(root)
        checks.checkUser(root)
        guard !name.isEmpty else { return nil }
        let isValid = reader.diagnostics.errors.count == errorsBefore
        return DecodedService(spec: spec, origin: root.location(of: "name"), ports: isValid ? portUses(spec, root) : [], isValid: isValid)
    }

    /// `[a-z0-9-]{1,63}`, not starting or ending with `-`: usable in file names, metric labels and URLs.
    private func decodeName(_ node: Node) -> String? {
        guard let name = reader.string(node, "name") else { return nil }
        guard Self.isValidName(name) else {
            reader.error(node, "service name '\(name)' is not valid; use 1 to 63 lowercase letters, digits and '-', not starting or ending with '-' (e.g. soc-engine)")
            return nil
        }
        return name
    }

    static func isValidName(_ name: String) -> Bool {
        (1...63).contains(name.count) && !name.hasPrefix("-") && !name.hasSuffix("-")
            && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }

    private func decodeEnv(_ node: Node) -> [String: String]? {
        guard case .mapping(let mapping) = node else {
            reader.error(node, "'env' must be a mapping of variable names to values, e.g. env: {LOG_LEVEL: info}, not \(NodeReader.describe(node))")
            return nil
        }
        var env: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard let key = reader.string(keyNode, "env") else { continue }
            guard VariableExpansion.references(in: "${\(key)}") == [key] else {
                reader.error(keyNode, "env name '\(key)' is not valid; use letters, digits and '_', not starting with a digit")
                continue
            }
            guard !VariableExpansion.builtinNames.contains(key) else {
                reader.error(keyNode, "env name '\(key)' is set by Vigil for every instance; choose another name")
                continue
            }
            if let value = reader.string(valueNode, "env.\(key)") { env[key] = value }
        }
        return env
    }

    /// Every port the service listens on, located at the value that sets it. The green port is
    /// left out when it equals blue: that mistake is already reported by the deploy section.
    private func portUses(_ spec: ServiceSpec, _ root: MappingReader) -> [PortUse] {
        let owner = "service '\(spec.name)'"
        var uses: [PortUse] = []
        if let port = spec.port, let node = root["port"] {
            uses.append(PortUse(port: port, location: reader.location(node), owner: "\(owner) (port)"))
        }
        if let deploy = spec.deploy, let section = root["deploy"] {
            if let node = section["listen"] {
                uses.append(PortUse(port: deploy.listen.port, location: reader.location(node), owner: "\(owner) (deploy.listen)"))
            }
            for color in Color.allCases {
                guard let port = deploy.ports[color], let node = section["ports"]?[color.rawValue],
                      !(color == .green && deploy.ports[.blue] == port) else { continue }
                uses.append(PortUse(port: port, location: reader.location(node), owner: "\(owner) (deploy.ports.\(color.rawValue))"))
            }
        }
        return uses
    }
}
