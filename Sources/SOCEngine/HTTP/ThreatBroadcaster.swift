import Foundation

/// Fans new analyses out to every connected WebSocket client.
///
/// Each client gets its own bounded buffer (the newest 256 messages); a slow client loses old
/// messages instead of slowing the engine down.
public final class ThreatBroadcaster: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]

    public init() {}

    public var subscriberCount: Int { lock.withLock { subscribers.count } }

    /// A stream of messages for one client; it ends when the client is removed.
    public func subscribe() -> (UUID, AsyncStream<String>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(256))
        lock.withLock { subscribers[id] = continuation }
        return (id, stream)
    }

    public func unsubscribe(_ id: UUID) {
        let continuation = lock.withLock { subscribers.removeValue(forKey: id) }
        continuation?.finish()
    }

    /// Sends `message` to every client; cheap when nobody listens.
    public func publish(_ message: @autoclosure () -> String) {
        let targets = lock.withLock { Array(subscribers.values) }
        guard !targets.isEmpty else { return }
        let text = message()
        for continuation in targets { continuation.yield(text) }
    }

    /// `{"type": ..., "data": <raw JSON>, "timestamp": ...}` without re-encoding `data`.
    public static func envelope(type: String, data: Data, at date: Date = Date()) -> String {
        "{\"type\":\"\(type)\",\"data\":\(String(decoding: data, as: UTF8.self)),\"timestamp\":\"\(ISO8601.format(date))\"}"
    }
}
