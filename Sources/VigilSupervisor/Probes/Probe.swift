/// The outcome of one probe attempt.
public enum ProbeResult: Sendable, Equatable {
    case success
    /// Why it failed, in words an operator can act on ("GET /health: status 500",
    /// "connect 127.0.0.1:8080: connection refused", "timed out after 1s").
    case failure(String)

    public var isSuccess: Bool { self == .success }
}

/// One check of an instance's health: an HTTP GET, a TCP connect or a command.
///
/// A probe never blocks the caller's thread: implementations hand the I/O to a dedicated thread
/// (libcurl's multi interface, the exit watcher) and resume the task when it completes. A probe
/// that outlives `timeout` reports a failure; it never throws.
public protocol Probe: Sendable {
    func check(timeout: Duration) async -> ProbeResult
}
