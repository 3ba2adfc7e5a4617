import Foundation
import Yams

/// `deploy`: blue-green and canary rollouts, their router and their analysis.
extension ServiceDecoder {
    static let deployKeys = [
        "strategy", "listen", "ports", "router", "nginx", "autoPromote", "steps", "analysis",
        "drainTimeout", "scaleDownDelay", "progressDeadline", "standby", "protocol", "overridableEnv",
    ]

    /// The deploy section, or nil when a required part (listen, ports) is missing or invalid.
    func decodeDeploy(_ section: MappingReader) -> DeploySpec? {
        let listen = section.requireKey("listen", example: "127.0.0.1:8080").flatMap { reader.hostPort($0, section.path("listen")) }
        let ports = section.requireKey("ports", example: "{blue: 18080, green: 18081}").flatMap { decodeColorPorts($0, section.path("ports")) }
        let strategy = section["strategy"].flatMap {
            reader.choice($0, section.path("strategy"), DeployStrategy.self, allowed: [.blueGreen, .canary])
        } ?? .blueGreen
        let router = section["router"].flatMap {
            reader.choice($0, section.path("router"), RouterKind.self, allowed: [.builtin, .nginx])
        } ?? .builtin
        let nginx = section.mapping("nginx", keys: ["upstreamFile", "reload", "test", "accessLog"]).flatMap(decodeNginx)
        if router == .nginx, !section.has("nginx") {
            reader.diagnostics.error(section.location(of: "router"), "router: nginx needs an nginx section; add nginx: {upstreamFile: /etc/nginx/conf.d/SERVICE-upstream.conf}")
        }
        let steps = decodeSteps(section, strategy: strategy)
        guard let listen, let ports else { return nil }
        var spec = DeploySpec(strategy: strategy, listen: listen, ports: ports, router: router, nginx: nginx, steps: steps)
        if let autoPromote = section.read("autoPromote", NodeReader.bool) { spec.autoPromote = autoPromote }
        if let analysis = section.mapping("analysis", keys: ["interval", "window", "minRequests", "maxErrorRate", "maxLatencyP99", "prometheus"]) {
            spec.analysis = decodeAnalysis(analysis)
        }
        if let drain = section.read("drainTimeout", NodeReader.duration) { spec.drainTimeout = drain }
        if let delay = section.read("scaleDownDelay", NodeReader.duration) { spec.scaleDownDelay = delay }
        if let deadline = section.read("progressDeadline", NodeReader.positiveDuration) { spec.progressDeadline = deadline }
        if let standby = section["standby"].flatMap({ reader.choice($0, section.path("standby"), StandbyMode.self, allowed: [.cold, .warm]) }) {
            spec.standby = standby
        }
        if let node = section["overridableEnv"] {
            spec.overridableEnv = decodeOverridableEnv(node, section.path("overridableEnv"))
        }
        if let trafficProtocol = section["protocol"].flatMap({ reader.choice($0, section.path("protocol"), TrafficProtocol.self, allowed: [.http, .tcp]) }) {
            spec.trafficProtocol = trafficProtocol
            if trafficProtocol == .tcp, router == .nginx {
                reader.diagnostics.error(section.location(of: "protocol"), "protocol: tcp needs router: builtin (the nginx router writes an http upstream); remove 'protocol' or set router: builtin")
            }
        }
        return spec
    }

    /// `overridableEnv: [ERROR_RATE, LATENCY]`: valid env names, none of ``ProtectedEnvironment``.
    private func decodeOverridableEnv(_ node: Node, _ field: String) -> [String]? {
        guard let items = reader.list(node, field, example: "[LOG_LEVEL, FEATURE_FLAGS]") else { return nil }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            guard let name = reader.nonEmptyString(item, "\(field)[\(index)]") else { continue }
            if VariableExpansion.references(in: "${\(name)}") != [name] {
                reader.error(item, "'\(name)' is not an env name; use letters, digits and '_', not starting with a digit")
            } else if ProtectedEnvironment.contains(name) {
                reader.error(item, "'\(name)' changes how programs are loaded or run, so a deploy may never set it (it would let a caller run code as the service's user); remove it from \(field) and set it in 'env' if the service needs it")
            } else {
                names.append(name)
            }
        }
        return names
    }

    private func decodeColorPorts(_ node: Node, _ field: String) -> [Color: UInt16]? {
        guard let ports = reader.mapping(node, field, keys: Color.allCases.map(\.rawValue)) else { return nil }
        let blue = ports.requireKey("blue", example: "18080").flatMap { reader.port($0, ports.path("blue")) }
        let green = ports.requireKey("green", example: "18081").flatMap { reader.port($0, ports.path("green")) }
        guard let blue, let green else { return nil }
        if blue == green {
            reader.diagnostics.error(ports.location(of: "green"), "'\(ports.path("green"))' must differ from '\(ports.path("blue"))' (both are \(blue)): both colors run at once during a rollout; e.g. green: \(blue == 65535 ? blue - 1 : blue + 1)")
            return nil
        }
        return [.blue: blue, .green: green]
    }

    private func decodeNginx(_ section: MappingReader) -> NginxSpec? {
        let file = section.requireKey("upstreamFile", example: "/etc/nginx/conf.d/app-upstream.conf")
            .flatMap { reader.nonEmptyString($0, section.path("upstreamFile")) }
            .map(reader.absolutePath)
        let reload = section.read("reload", NodeReader.argv)
        let test = section.read("test", NodeReader.argv)
        let accessLog = section["accessLog"]
            .flatMap { reader.nonEmptyString($0, section.path("accessLog")) }
            .map(reader.absolutePath)
        guard let file else { return nil }
        var spec = NginxSpec(upstreamFile: file, accessLog: accessLog)
        if let reload { spec.reload = reload }
        if let test { spec.test = test }
        return spec
    }

    private func decodeSteps(_ section: MappingReader, strategy: DeployStrategy) -> [CanaryStep] {
        guard let node = section["steps"] else {
            if strategy == .canary {
                reader.diagnostics.error(section.location(of: "strategy"), "strategy: canary needs 'steps' saying how to shift traffic; add e.g. steps: [{setWeight: 10}, {pause: 30s}, {setWeight: 50}, {pause: {}}]")
            }
            return []
        }
        if strategy == .blueGreen {
            reader.diagnostics.error(section.location(of: "steps"), "'steps' is for strategy: canary; a blueGreen rollout switches all traffic at once; remove 'steps' or set strategy: canary")
            return []
        }
        guard let items = reader.list(node, section.path("steps"), example: "[{setWeight: 10}, {pause: 30s}]") else { return [] }
        if items.isEmpty {
            reader.error(node, "'\(section.path("steps"))' must not be empty for strategy: canary; add e.g. [{setWeight: 10}, {pause: 30s}]")
        }
        return items.enumerated().compactMap { index, item in decodeStep(item, "\(section.path("steps"))[\(index)]") }
    }

    private func decodeStep(_ node: Node, _ field: String) -> CanaryStep? {
        guard let step = reader.mapping(node, field, keys: ["setWeight", "pause"]) else { return nil }
        let present = ["setWeight", "pause"].filter(step.has)
        guard present.count == 1 else {
            reader.error(node, "'\(field)' needs exactly one of setWeight or pause, e.g. {setWeight: 10} or {pause: 30s} or {pause: {}} (wait for vigil promote)")
            return nil
        }
        if let weight = step["setWeight"] {
            return reader.int(weight, step.path("setWeight"), atLeast: 0, atMost: 100).map(CanaryStep.setWeight)
        }
        guard let pause = step["pause"] else { return nil }
        if pause.null != nil { return .pause(nil) }
        if case .mapping(let mapping) = pause {
            guard mapping.isEmpty else {
                reader.error(pause, "'\(step.path("pause"))' takes a duration (pause: 30s) or {} to wait for vigil promote")
                return nil
            }
            return .pause(nil)
        }
        return reader.duration(pause, step.path("pause")).map { CanaryStep.pause($0) }
    }

    private func decodeAnalysis(_ section: MappingReader) -> AnalysisSpec {
        var spec = AnalysisSpec()
        if let interval = section.read("interval", NodeReader.positiveDuration) { spec.interval = interval }
        if let window = section.read("window", NodeReader.positiveDuration) { spec.window = window }
        if let minimum = section["minRequests"].flatMap({ reader.int($0, section.path("minRequests"), atLeast: 0) }) { spec.minRequests = minimum }
        if let rate = section.read("maxErrorRate", NodeReader.ratio) { spec.maxErrorRate = rate }
        if let latency = section.read("maxLatencyP99", NodeReader.positiveDuration) { spec.maxLatencyP99 = latency }
        if let prometheus = section.mapping("prometheus", keys: ["url", "query", "successCondition"]) {
            spec.prometheus = decodePrometheus(prometheus)
        }
        return spec
    }

    private func decodePrometheus(_ section: MappingReader) -> AnalysisSpec.Prometheus? {
        let url = section.requireKey("url", example: "http://127.0.0.1:9090").flatMap { reader.nonEmptyString($0, section.path("url")) }
        if let url, let node = section["url"], !Self.isHTTPURL(url) {
            reader.error(node, "'\(section.path("url"))' must be an http:// or https:// URL such as http://127.0.0.1:9090, not '\(url)'")
        }
        let query = section.requireKey("query", example: "\"sum(rate(errors[1m]))\"").flatMap { reader.nonEmptyString($0, section.path("query")) }
        let condition = section.requireKey("successCondition", example: "\"< 0.01\"").flatMap { reader.nonEmptyString($0, section.path("successCondition")) }
        if let condition, let node = section["successCondition"], !Self.isCondition(condition) {
            reader.error(node, "'\(section.path("successCondition"))' must be a comparison and a number such as \"< 0.01\" (operators <, <=, >, >=, ==, !=), not '\(condition)'")
        }
        guard let url, let query, let condition else { return nil }
        return AnalysisSpec.Prometheus(url: url, query: query, successCondition: condition)
    }

    static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host else { return false }
        return (scheme == "http" || scheme == "https") && !host.isEmpty
    }

    private static func isCondition(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let op = ["<=", ">=", "==", "!=", "<", ">"].first(where: trimmed.hasPrefix) else { return false }
        return Double(trimmed.dropFirst(op.count).trimmingCharacters(in: .whitespaces)) != nil
    }
}
