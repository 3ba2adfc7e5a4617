import Glibc
import Yams

/// One decoded `kind: Supervisor` document plus what the loader and cross-file checks need.
struct DecodedSupervisor {
    var config: SupervisorConfig
    /// The `manifests` entries as written (absolute) with where; nil when the key is absent.
    var manifestEntries: [(path: String, location: SourceLocation)]?
    var ports: [PortUse]
    /// Services named by control webhooks, checked against the loaded services.
    var webhookServices: [(name: String, location: SourceLocation)]
}

/// Turns the `kind: Supervisor` document of `vigil.yaml` into a ``SupervisorConfig``.
///
/// Relative paths resolve against the config file's directory; `stateDir` defaults to `.vigil`
/// there, `manifests` to `[manifests]` and the control socket to `<stateDir>/control.sock`.
struct SupervisorDecoder {
    static let keys = ["apiVersion", "kind", "stateDir", "manifests", "control", "metrics", "reclaim", "notify"]

    let reader: NodeReader

    /// Settings for running without a config file, rooted at `directory`.
    static func defaults(directory: String) -> SupervisorConfig {
        let stateDir = directory + "/.vigil"
        return SupervisorConfig(stateDir: stateDir, manifestDirs: [directory + "/manifests"], control: ControlConfig(socket: stateDir + "/control.sock"))
    }

    func decode(_ document: Node, file: String) -> DecodedSupervisor? {
        guard let root = reader.mapping(document, "", keys: Self.keys, label: "Supervisor") else { return nil }
        var result = DecodedSupervisor(config: Self.defaults(directory: reader.directory), manifestEntries: nil, ports: [], webhookServices: [])
        result.config.file = file
        if let stateDir = root.read("stateDir", NodeReader.nonEmptyString) {
            result.config.stateDir = reader.absolutePath(stateDir)
        }
        result.config.control.socket = result.config.stateDir + "/control.sock"
        if let node = root["manifests"], let items = reader.list(node, "manifests", example: "[manifests]") {
            let entries = items.enumerated().compactMap { index, item in
                reader.nonEmptyString(item, "manifests[\(index)]").map { (path: reader.absolutePath($0), location: reader.location(item)) }
            }
            result.manifestEntries = entries
            result.config.manifestDirs = entries.map(\.path)
        }
        if let control = root.mapping("control", keys: ["socket", "listen", "tokens", "webhooks", "roles"]) {
            decodeControl(control, into: &result)
        }
        if let metrics = root.mapping("metrics", keys: ["listen"]),
           let node = metrics.requireKey("listen", example: "127.0.0.1:9469"),
           let listen = reader.hostPort(node, metrics.path("listen")) {
            result.config.metrics = MetricsConfig(listen: listen)
            result.ports.append(PortUse(port: listen.port, location: reader.location(node), owner: "the supervisor (metrics.listen)"))
        }
        if let reclaim = root.mapping("reclaim", keys: ["interval", "disk", "memory"]) {
            result.config.reclaim = decodeReclaim(reclaim)
        }
        if let notify = root.mapping("notify", keys: ["webhooks"]) {
            result.config.notify = decodeNotify(notify)
        }
        return result
    }

    private func decodeControl(_ control: MappingReader, into result: inout DecodedSupervisor) {
        if let socket = control.read("socket", NodeReader.nonEmptyString) {
            result.config.control.socket = reader.absolutePath(socket)
        }
        if let node = control["listen"], let listen = reader.hostPort(node, control.path("listen")) {
            if !["127.0.0.1", "::1", "localhost"].contains(listen.host), !listen.host.hasPrefix("127.") {
                reader.error(node, "'\(control.path("listen"))' \(listen) is not a loopback address, and TLS for the control listener is not supported yet, so tokens would cross the network in clear; listen on 127.0.0.1 (and tunnel), or use the control socket")
            }
            if !control.has("tokens") {
                reader.error(node, "'\(control.path("listen"))' needs control.tokens: every request on the TCP listener must carry one; add tokens: [{name: ci, sha256: \"<printf %s TOKEN | sha256sum>\", role: viewer}]")
            }
            result.config.control.listen = listen
            result.ports.append(PortUse(port: listen.port, location: reader.location(node), owner: "the supervisor (control.listen)"))
        }
        if let node = control["tokens"], let items = reader.list(node, control.path("tokens"), example: "[{name: ci, sha256: \"<64 hex>\", role: operator}]") {
            var seen: Set<String> = []
            for (index, item) in items.enumerated() {
                guard let token = decodeToken(item, "\(control.path("tokens"))[\(index)]") else { continue }
                if !seen.insert(token.name).inserted {
                    reader.error(item, "token name '\(token.name)' is used twice; give each token its own name (it is what the audit log records)")
                }
                result.config.control.tokens.append(token)
            }
        }
        if let node = control["roles"], let items = reader.list(node, control.path("roles"), example: "[{group: vigil-ops, role: operator}, {user: alice, role: viewer}]") {
            result.config.control.roles = items.enumerated().compactMap { index, item in decodeRoleGrant(item, "\(control.path("roles"))[\(index)]") }
        }
        if let node = control["webhooks"], let items = reader.list(node, control.path("webhooks"), example: "[{name: github, secretFile: /etc/vigil/hook.secret, services: [api]}]") {
            for (index, item) in items.enumerated() {
                let field = "\(control.path("webhooks"))[\(index)]"
                guard let hook = reader.mapping(item, field, keys: ["name", "secretFile", "services"]) else { continue }
                let name = hook.requireKey("name", example: "github").flatMap { reader.nonEmptyString($0, hook.path("name")) }
                if let name, let node = hook["name"], !ServiceDecoder.isValidName(name) {
                    reader.error(node, "webhook name '\(name)' is not valid; it becomes the URL /v1/hooks/NAME, so use lowercase letters, digits and '-'")
                }
                let secret = hook.requireKey("secretFile", example: "/etc/vigil/hook.secret").flatMap { reader.nonEmptyString($0, hook.path("secretFile")) }
                var services: [String] = []
                if let node = hook.requireKey("services", example: "[api]"), let items = reader.list(node, hook.path("services"), example: "[api]") {
                    for (serviceIndex, serviceNode) in items.enumerated() {
                        guard let service = reader.nonEmptyString(serviceNode, "\(hook.path("services"))[\(serviceIndex)]") else { continue }
                        services.append(service)
                        result.webhookServices.append((service, reader.location(serviceNode)))
                    }
                }
                if let name, let node = hook["name"], result.config.control.webhooks.contains(where: { $0.name == name }) {
                    reader.error(node, "webhook name '\(name)' is used twice; each webhook needs its own URL /v1/hooks/NAME, so rename one")
                } else if let name, let secret {
                    result.config.control.webhooks.append(WebhookConfig(name: name, secretFile: reader.absolutePath(secret), services: services))
                }
            }
        }
    }

    /// `{group: NAME, role: ROLE}` or `{user: NAME, role: ROLE}`; the user or group must exist.
    private func decodeRoleGrant(_ node: Node, _ field: String) -> RoleGrant? {
        guard let grant = reader.mapping(node, field, keys: ["user", "group", "role"]) else { return nil }
        let role = grant.requireKey("role", example: "viewer").flatMap { reader.choice($0, grant.path("role"), Role.self, allowed: Role.allCases) }
        let user = grant.read("user", NodeReader.nonEmptyString)
        let group = grant.read("group", NodeReader.nonEmptyString)
        switch (user, group) {
        case (let user?, nil):
            guard getpwnam(user) != nil else {
                reader.error(grant["user"]!, "user '\(user)' does not exist on this host; create it (useradd \(user)) or remove this entry")
                return nil
            }
            return role.map { RoleGrant(.user(user), role: $0) }
        case (nil, let group?):
            guard getgrnam(group) != nil else {
                reader.error(grant["group"]!, "group '\(group)' does not exist on this host; create it (groupadd \(group)) or remove this entry")
                return nil
            }
            return role.map { RoleGrant(.group(group), role: $0) }
        default:
            reader.error(node, "'\(field)' needs exactly one of 'user' or 'group', e.g. {group: vigil-ops, role: operator}")
            return nil
        }
    }

    private func decodeToken(_ node: Node, _ field: String) -> TokenConfig? {
        guard let token = reader.mapping(node, field, keys: ["name", "sha256", "role"]) else { return nil }
        let name = token.requireKey("name", example: "ci").flatMap { reader.nonEmptyString($0, token.path("name")) }
        var hash = token.requireKey("sha256", example: "\"<output of: printf %s TOKEN | sha256sum>\"").flatMap { reader.string($0, token.path("sha256")) }
        if let text = hash, let valueNode = token["sha256"] {
            let isHex = text.count == 64 && text.allSatisfy(\.isHexDigit)
            if !isHex {
                reader.error(valueNode, "'\(token.path("sha256"))' must be 64 hex characters (the SHA-256 of the token, never the token itself); compute it with: printf %s TOKEN | sha256sum")
                hash = nil
            }
        }
        let role = token.requireKey("role", example: "operator").flatMap { reader.choice($0, token.path("role"), Role.self, allowed: Role.allCases) }
        guard let name, let hash, let role else { return nil }
        return TokenConfig(name: name, sha256: hash.lowercased(), role: role)
    }
}
