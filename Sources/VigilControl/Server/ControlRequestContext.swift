import Hummingbird
import NIOCore

/// The request context of the control API: Hummingbird's core storage and the connection the
/// request came on, whose peer ``ControlGate`` identifies (SO_PEERCRED on the socket).
public struct ControlRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
