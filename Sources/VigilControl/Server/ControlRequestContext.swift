import Hummingbird
import NIOCore
import VigilManifest

/// The request context of the control API: Hummingbird's core storage, the connection the
/// request came on (its peer is identified by SO_PEERCRED) and, once ``ControlGate`` has run,
/// who the caller is and what role it has.
public struct ControlRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// Set by ``ControlGate`` before any route runs.
    var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        caller = nil
    }
}
