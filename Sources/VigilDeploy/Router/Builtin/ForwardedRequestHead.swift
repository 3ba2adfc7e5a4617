import NIOCore
import NIOHTTP1

/// The request head as the color receives it: HTTP/1.1, hop-by-hop headers removed, the client
/// appended to `X-Forwarded-For`, `X-Forwarded-Proto`/`X-Forwarded-Host` added when absent.
///
/// Built on a copy of the client's head edited in place: one scan finds what is there, the
/// header list is copied once with room for the additions, and the usual request (no
/// `X-Forwarded-*`, no hop-by-hop headers) gets its three headers appended and nothing else.
enum ForwardedRequestHead {
    /// The head to send, and whether the client asked for `100 Continue`.
    static func make(from head: HTTPRequestHead, clientAddress: String?) -> (head: HTTPRequestHead, expectsContinue: Bool) {
        var hasTransferEncoding = false
        var hasExpect = false
        var hasForwardedFor = false
        var hasForwardedProto = false
        var hasForwardedHost = false
        var host: String?
        for (name, value) in head.headers {
            switch name.utf8.count {
            case 4: if host == nil, asciiEqualsIgnoringCase(name, "host") { host = value }
            case 6: if asciiEqualsIgnoringCase(name, "expect") { hasExpect = true }
            case 15: if asciiEqualsIgnoringCase(name, "x-forwarded-for") { hasForwardedFor = true }
            case 16: if asciiEqualsIgnoringCase(name, "x-forwarded-host") { hasForwardedHost = true }
            case 17:
                if asciiEqualsIgnoringCase(name, "x-forwarded-proto") {
                    hasForwardedProto = true
                } else if asciiEqualsIgnoringCase(name, "transfer-encoding") {
                    hasTransferEncoding = true
                }
            default: break
            }
        }
        var forwarded = head
        forwarded.headers.reserveCapacity(head.headers.count + 3)
        let chunked = hasTransferEncoding && head.headers[canonicalForm: "transfer-encoding"].contains { $0.lowercased() == "chunked" }
        HopByHopHeaders.strip(&forwarded.headers)
        // The router answers `Expect: 100-continue` itself (as nginx does) and streams the body.
        if hasExpect { forwarded.headers.remove(name: "expect") }
        if chunked {
            // Keep the body framed for methods NIO's encoder would not chunk on its own (a GET
            // with a body); the encoder still owns the actual chunking.
            forwarded.headers.add(name: "transfer-encoding", value: "chunked")
        }
        if let clientAddress {
            if hasForwardedFor {
                let earlier = forwarded.headers["x-forwarded-for"].joined(separator: ", ")
                forwarded.headers.remove(name: "x-forwarded-for")
                forwarded.headers.add(name: "X-Forwarded-For", value: earlier.isEmpty ? clientAddress : earlier + ", " + clientAddress)
            } else {
                forwarded.headers.add(name: "X-Forwarded-For", value: clientAddress)
            }
        }
        if !hasForwardedProto { forwarded.headers.add(name: "X-Forwarded-Proto", value: "http") }
        if !hasForwardedHost, let host { forwarded.headers.add(name: "X-Forwarded-Host", value: host) }
        if forwarded.version != .http1_1 { forwarded.version = .http1_1 }
        return (forwarded, hasExpect && expectsContinue(head))
    }

    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        head.headers[canonicalForm: "expect"].contains { $0.lowercased() == "100-continue" }
    }
}
