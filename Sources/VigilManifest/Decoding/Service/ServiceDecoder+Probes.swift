import Yams

/// `probes`: startup, liveness and readiness, with Kubernetes field names and defaults.
extension ServiceDecoder {
    static let probeKeys = ["http", "tcp", "exec", "initialDelay", "period", "timeout", "successThreshold", "failureThreshold"]

    /// `servicePort`/`deployPorts` tell whether an http or tcp probe without its own port has
    /// an instance port to use.
    func decodeProbes(_ section: MappingReader, servicePort: UInt16?, deployPorts: Bool) -> ProbesSpec {
        var probes = ProbesSpec()
        for kind in ProbeKind.allCases {
            guard let probe = section.mapping(kind.rawValue, keys: Self.probeKeys),
                  let spec = decodeProbe(probe, kind: kind, hasInstancePort: servicePort != nil || deployPorts) else { continue }
            switch kind {
            case .startup: probes.startup = spec
            case .liveness: probes.liveness = spec
            case .readiness: probes.readiness = spec
            }
        }
        return probes
    }

    private func decodeProbe(_ probe: MappingReader, kind: ProbeKind, hasInstancePort: Bool) -> ProbeSpec? {
        let actions = ["http", "tcp", "exec"].filter(probe.has)
        guard actions.count == 1, let actionKey = actions.first else {
            let place = actions.count > 1 ? probe.location(of: actions[1]) : probe.location
            let found = actions.isEmpty ? "none" : actions.joined(separator: " and ")
            reader.diagnostics.error(place, "probe '\(probe.field)' needs exactly one of http, tcp or exec (found \(found)); e.g. http: {path: /health}")
            return nil
        }
        guard let action = decodeAction(probe, actionKey, hasInstancePort: hasInstancePort) else { return nil }
        var spec = ProbeSpec(action: action)
        if let delay = probe.read("initialDelay", NodeReader.duration) { spec.initialDelay = delay }
        if let period = probe.read("period", NodeReader.positiveDuration) { spec.period = period }
        if let timeout = probe.read("timeout", NodeReader.positiveDuration) { spec.timeout = timeout }
        if let threshold = probe["failureThreshold"].flatMap({ reader.int($0, probe.path("failureThreshold"), atLeast: 1) }) {
            spec.failureThreshold = threshold
        }
        if let node = probe["successThreshold"], let threshold = reader.int(node, probe.path("successThreshold"), atLeast: 1) {
            if kind != .readiness, threshold != 1 {
                reader.error(node, "'\(probe.path("successThreshold"))' must be 1 for a \(kind.rawValue) probe (as in Kubernetes: one success is enough); remove it or set it to 1")
            }
            spec.successThreshold = threshold
        }
        return spec
    }

    private func decodeAction(_ probe: MappingReader, _ key: String, hasInstancePort: Bool) -> ProbeAction? {
        let field = probe.path(key)
        switch key {
        case "http":
            guard let http = probe.mapping("http", keys: ["path", "port", "scheme", "headers"]) else { return nil }
            var path = "/"
            if let node = http["path"], let text = reader.string(node, http.path("path")) {
                if text.hasPrefix("/") { path = text } else {
                    reader.error(node, "'\(http.path("path"))' must start with '/', e.g. /\(text)")
                }
            }
            let port = http.read("port", NodeReader.port)
            let scheme = http["scheme"].flatMap { reader.choice($0, http.path("scheme"), HTTPScheme.self, allowed: HTTPScheme.allCases) }
            let headers = http["headers"].flatMap { decodeHeaders($0, http.path("headers")) } ?? [:]
            requirePort(port, http, at: probe.location(of: key), field: field, hasInstancePort: hasInstancePort)
            return .http(path: path, port: port, scheme: (scheme ?? .http).rawValue, headers: headers)
        case "tcp":
            guard let tcp = probe.mapping("tcp", keys: ["port"]) else { return nil }
            let port = tcp.read("port", NodeReader.port)
            requirePort(port, tcp, at: probe.location(of: key), field: field, hasInstancePort: hasInstancePort)
            return .tcp(port: port)
        default:
            guard let exec = probe.mapping("exec", keys: ["command"]),
                  let command = exec.requireKey("command", example: "[/usr/bin/check, --quick]").flatMap({ reader.argv($0, exec.path("command")) })
            else { return nil }
            return .exec(command: command)
        }
    }

    private func requirePort(_ port: UInt16?, _ section: MappingReader, at location: SourceLocation, field: String, hasInstancePort: Bool) {
        guard port == nil, !hasInstancePort, !section.has("port") else { return }
        reader.diagnostics.error(location, "'\(field)' has no port to probe; add port: N here, or give the service a 'port' (or deploy.ports)")
    }

    private func decodeHeaders(_ node: Node, _ field: String) -> [String: String]? {
        guard case .mapping(let mapping) = node else {
            reader.error(node, "'\(field)' must be a mapping of header names to values, e.g. headers: {Host: example.com}, not \(NodeReader.describe(node))")
            return nil
        }
        var headers: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = reader.nonEmptyString(key, field), let text = reader.string(value, "\(field).\(name)") else { continue }
            headers[name] = text
        }
        return headers
    }
}

/// The schemes an http probe may use.
enum HTTPScheme: String, CaseIterable {
    case http, https
}
