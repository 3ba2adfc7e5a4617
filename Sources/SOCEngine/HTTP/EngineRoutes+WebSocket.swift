import Foundation
import Hummingbird
import HummingbirdWebSocket

extension EngineRoutes {
    /// `WS /ws`: an `initial_batch` of up to 20 newest analyses on connect, then a `new_threat`
    /// message per analysis, a `threat_updated` message per analyst verdict (PATCH);
    /// `{"type": "ping"}` is answered with `{"type": "pong"}`.
    static func addWebSocket(to router: Router<EngineRequestContext>, service: EngineService) {
        router.ws("/ws") { inbound, outbound, _ in
            service.metrics.webSocketConnections(change: 1)
            defer { service.metrics.webSocketConnections(change: -1) }
            let (subscription, stream) = service.broadcaster.subscribe()
            let batch = (try? await service.store.bodies(limit: 20, offset: 0)) ?? []
            var data = Data("[".utf8)
            for (index, body) in batch.enumerated() {
                if index > 0 { data.append(UInt8(ascii: ",")) }
                data.append(body)
            }
            data.append(UInt8(ascii: "]"))
            try await outbound.write(.text(ThreatBroadcaster.envelope(type: "initial_batch", data: data)))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await message in stream {
                        try await outbound.write(.text(message))
                    }
                }
                group.addTask {
                    defer { service.broadcaster.unsubscribe(subscription) }
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        guard case .text(let text) = message,
                              let value = try? JSONParser.parse(text.utf8),
                              value.objectValue?["type"]?.stringValue == "ping" else { continue }
                        try await outbound.write(.text("{\"type\":\"pong\",\"timestamp\":\"\(ISO8601.format(Date()))\"}"))
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
