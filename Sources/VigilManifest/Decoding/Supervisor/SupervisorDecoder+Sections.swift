import Yams

/// `notify` of the supervisor config.
extension SupervisorDecoder {
    static let notifyEvents = ["rollout", "rollback", "crashloop", "reclaim"]

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
