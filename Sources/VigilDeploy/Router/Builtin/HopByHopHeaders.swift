import NIOHTTP1

/// The headers that describe one connection rather than the message (RFC 9110 §7.6.1): a proxy
/// must not forward them. `Transfer-Encoding` is among them because each side is re-framed by
/// NIO's encoder (chunked or Content-Length) independently of how the body arrived.
enum HopByHopHeaders {
    static let names = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "transfer-encoding", "proxy-authenticate", "proxy-authorization"]

    /// Removes the fixed hop-by-hop headers and every header named in `Connection`.
    static func strip(_ headers: inout HTTPHeaders) {
        let listed: [String] = headers[canonicalForm: "connection"].map { $0.lowercased() }
        for name in names + listed { headers.remove(name: name) }
    }
}
