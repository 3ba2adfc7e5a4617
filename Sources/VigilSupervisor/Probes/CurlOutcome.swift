/// The result of one HTTP GET made by ``CurlMulti``.
///
/// A response with any status is `.response`: deciding what counts as healthy is the caller's job
/// (``HTTPProbe`` takes 200–399). `.failure` means no HTTP answer arrived, with the reason in words
/// an operator can act on: `"connection refused"`, `"timed out after 1s"`.
public enum HTTPOutcome: Sendable, Equatable {
    /// The status line and up to ``CurlMulti/Configuration/maxBodyBytes`` of the body.
    case response(status: Int, body: [UInt8])
    case failure(String)
}

/// The result of one TCP connect made by ``CurlMulti``.
public enum TCPOutcome: Sendable, Equatable {
    case connected
    case failure(String)
}

/// libcurl could not be set up at all (out of memory, a broken libcurl install).
public struct CurlError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
