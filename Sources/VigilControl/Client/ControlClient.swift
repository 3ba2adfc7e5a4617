/// The client every `vigil` CLI command uses to talk to a running Vigil.
///
/// Calls block the calling thread (a CLI has nothing else to do) on a fresh libcurl handle, over
/// the control socket or TCP. With a `token`, each request carries `Authorization: Bearer <token>`.
///
/// ```swift
/// let client = ControlClient(endpoint: .parse(".vigil/control.sock"), token: nil)
/// let status = try client.send("GET", "/v1/status").decode(StatusReport.self)
/// ```
public final class ControlClient: Sendable {
    public let endpoint: ControlEndpoint
    private let token: String?

    public init(endpoint: ControlEndpoint, token: String?) {
        self.endpoint = endpoint
        self.token = token
    }

    /// Sends one request and returns the whole answer.
    ///
    /// - Parameter body: JSON bytes, sent with `Content-Type: application/json`.
    /// - Throws: ``ControlClientError``: `.unreachable` when nothing listens, `.timedOut` after
    ///   `timeout`, `.api` with the server's `error` and `detail` for statuses 400 and up.
    public func send(_ method: String, _ path: String, body: [UInt8]? = nil, timeout: Duration = .seconds(30)) throws(ControlClientError) -> ControlResponse {
        let transfer = ControlTransfer(onData: nil)
        let status = try transfer.perform(endpoint: endpoint, token: token, method: method, path: path, body: body, timeout: timeout)
        if status >= 400 { throw ControlClientError.api(status: status, body: transfer.body) }
        return ControlResponse(status: status, body: transfer.body)
    }

    /// Sends one request and hands the body to `onData` chunk by chunk as it arrives (event
    /// following, log tailing). Runs until the server ends the body or `onData` returns false.
    ///
    /// - Returns: the HTTP status.
    /// - Throws: as ``send(_:_:body:timeout:)``; there is no overall timeout, only a 10 s connect timeout.
    @discardableResult
    public func stream(_ method: String, _ path: String, body: [UInt8]? = nil, onData: @escaping ([UInt8]) -> Bool) throws(ControlClientError) -> Int {
        let transfer = ControlTransfer(onData: onData)
        let status = try transfer.perform(endpoint: endpoint, token: token, method: method, path: path, body: body, timeout: nil)
        if status >= 400 { throw ControlClientError.api(status: status, body: transfer.body) }
        return status
    }
}
