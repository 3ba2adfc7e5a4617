import Yams

/// `reclaim` and `notify` of the supervisor config.
extension SupervisorDecoder {
    static let notifyEvents = ["rollout", "rollback", "crashloop", "reclaim"]

    func decodeReclaim(_ section: MappingReader) -> ReclaimConfig {
        var config = ReclaimConfig()
        if let interval = section.read("interval", NodeReader.positiveDuration) { config.interval = interval }
        if let node = section["disk"], let items = reader.list(node, section.path("disk"), example: "[{path: /var/lib/vigil, highWatermark: 90%, lowWatermark: 80%}]") {
            config.disk = items.enumerated().compactMap { index, item in decodeDisk(item, "\(section.path("disk"))[\(index)]") }
        }
        if let memory = section.mapping("memory", keys: ["hostHighWatermark"]),
           let node = memory.requireKey("hostHighWatermark", example: "90%"),
           let ratio = reader.ratio(node, memory.path("hostHighWatermark")) {
            config.memory = MemoryReclaimConfig(hostHighWatermark: ratio)
        }
        return config
    }

    /// One watched filesystem. `clean` defaults to `[logs, releases]`: the files Vigil owns.
    private func decodeDisk(_ node: Node, _ field: String) -> DiskReclaimConfig? {
        guard let disk = reader.mapping(node, field, keys: ["path", "highWatermark", "lowWatermark", "clean"]) else { return nil }
        let path = disk.requireKey("path", example: "/var/lib/vigil").flatMap { reader.nonEmptyString($0, disk.path("path")) }
        let high = disk.requireKey("highWatermark", example: "90%").flatMap { reader.ratio($0, disk.path("highWatermark")) }
        let low = disk.requireKey("lowWatermark", example: "80%").flatMap { reader.ratio($0, disk.path("lowWatermark")) }
        if let high, let low, low >= high {
            reader.diagnostics.error(disk.location(of: "lowWatermark"), "'\(disk.path("lowWatermark"))' must be below '\(disk.path("highWatermark"))': reclaim starts above high and stops below low; e.g. highWatermark: 90%, lowWatermark: 80%")
        }
        var clean: [DiskReclaimConfig.Target] = [.logs, .releases]
        if let node = disk["clean"], let items = reader.list(node, disk.path("clean"), example: "[logs, releases, {glob: \"/var/tmp/app-*\", olderThan: 1h}]") {
            let targets = items.enumerated().map { index, item in decodeCleanTarget(item, "\(disk.path("clean"))[\(index)]") }
            clean = targets.compactMap { $0 }
        }
        guard let path, let high, let low else { return nil }
        return DiskReclaimConfig(path: reader.absolutePath(path), highWatermark: high, lowWatermark: low, clean: clean)
    }

    private func decodeCleanTarget(_ node: Node, _ field: String) -> DiskReclaimConfig.Target? {
        if case .scalar = node {
            guard let word = reader.string(node, field) else { return nil }
            switch word {
            case "logs": return .logs
            case "releases": return .releases
            default:
                reader.error(node, "'\(field)' must be logs, releases or {glob: PATTERN, olderThan: DURATION}, not '\(word)'")
                return nil
            }
        }
        guard let target = reader.mapping(node, field, keys: ["glob", "olderThan"]) else { return nil }
        let glob = target.requireKey("glob", example: "\"/var/tmp/app-*\"").flatMap { reader.nonEmptyString($0, target.path("glob")) }
        let olderThan = target.requireKey("olderThan", example: "1h").flatMap { reader.duration($0, target.path("olderThan")) }
        guard let glob, let olderThan else { return nil }
        return .glob(pattern: reader.absolutePath(glob), olderThan: olderThan)
    }

    /// `notify.webhooks`; `events` defaults to all of them.
    func decodeNotify(_ section: MappingReader) -> NotifyConfig {
        var config = NotifyConfig()
        guard let node = section["webhooks"], let items = reader.list(node, section.path("webhooks"), example: "[{url: \"http://127.0.0.1:9999/hook\", events: [rollout, rollback]}]") else { return config }
        for (index, item) in items.enumerated() {
            guard let hook = reader.mapping(item, "\(section.path("webhooks"))[\(index)]", keys: ["url", "events"]) else { continue }
            let url = hook.requireKey("url", example: "\"http://127.0.0.1:9999/hook\"").flatMap { reader.nonEmptyString($0, hook.path("url")) }
            if let url, let urlNode = hook["url"], !ServiceDecoder.isHTTPURL(url) {
                reader.error(urlNode, "'\(hook.path("url"))' must be an http:// or https:// URL, not '\(url)'")
            }
            var events = Self.notifyEvents
            if let eventsNode = hook["events"], let list = reader.stringList(eventsNode, hook.path("events"), example: "[rollout, rollback, crashloop, reclaim]") {
                for (eventIndex, event) in list.enumerated() where !Self.notifyEvents.contains(event) {
                    let place = eventsNode[eventIndex] ?? eventsNode
                    let hint = NearestName.suggestion(for: event, among: Self.notifyEvents).map { "did you mean '\($0)'? " } ?? ""
                    reader.error(place, "unknown event '\(event)' in \(hook.path("events")); \(hint)events are \(Self.notifyEvents.joined(separator: ", "))")
                }
                events = list
            }
            if let url { config.webhooks.append(NotifyConfig.Webhook(url: url, events: events)) }
        }
        return config
    }
}
