import Hummingbird
import HummingbirdWebSocket

/// The request context of the engine's routes: WebSocket-capable, with the 1 MiB body limit of
/// SPEC section 7 (larger bodies get 413).
public struct EngineRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>

    public init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
    }

    /// Bodies above this many bytes are refused with 413.
    public static let maxBodySize = 1 << 20
    public var maxUploadSize: Int { Self.maxBodySize }
}
