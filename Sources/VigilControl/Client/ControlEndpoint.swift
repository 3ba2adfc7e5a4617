/// Where the Vigil control API listens: its Unix socket (the default, `stateDir/control.sock`)
/// or an HTTP(S) base URL (`control.listen`, bearer token required).
public enum ControlEndpoint: Sendable, Equatable, CustomStringConvertible {
    case unixSocket(String)
    case url(String)

    /// Reads a `--control` value: `http://` or `https://` makes a URL, anything else is a socket path.
    public static func parse(_ s: String) -> ControlEndpoint {
        let lower = s.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return .url(s) }
        return .unixSocket(s)
    }

    /// The socket path or URL, as the user wrote it.
    public var description: String {
        switch self {
        case .unixSocket(let path): return path
        case .url(let url): return url
        }
    }

    /// The full URL libcurl requests for `path` (which starts with `/`).
    func requestURL(_ path: String) -> String {
        switch self {
        case .unixSocket: return "http://localhost" + path
        case .url(let base):
            let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
            return trimmed + path
        }
    }
}
