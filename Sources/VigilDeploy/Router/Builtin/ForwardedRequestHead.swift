import NIOCore
import NIOHTTP1

/// The request head as the color receives it: HTTP/1.1, hop-by-hop headers removed, the client
/// appended to `X-Forwarded-For`, `X-Forwarded-Proto`/`X-Forwarded-Host` added when absent.
///
/// One scan finds what is there, then the forwarded header list is built in one array with room
/// for the additions (no `HTTPHeaders.remove`/`add`, which rescan and re-check the list per call).
enum ForwardedRequestHead {
    /// The head to send, and whether the client asked for `100 Continue`.
    static func make(from head: HTTPRequestHead, clientAddress: String?) -> (head: HTTPRequestHead, expectsContinue: Bool) {
        var hasHopByHop = false
        var connectionListsOthers = false
        var hasTransferEncoding = false
        var hasExpect = false
        var hasForwardedFor = false
        var hasForwardedProto = false
        var hasForwardedHost = false
        var host: String?
        for (name, value) in head.headers {
            if let fixed = HopByHopHeaders.fixed(name) {
                hasHopByHop = true
                if fixed == .connection, HopByHopHeaders.namesOtherHeaders(value) {
                    connectionListsOthers = true
                } else if fixed == .transferEncoding {
                    hasTransferEncoding = true
                }
                continue
            }
            switch name.utf8.count {
            case 4: if host == nil, asciiEqualsIgnoringCase(name, "host") { host = value }
            case 6: if asciiEqualsIgnoringCase(name, "expect") { hasExpect = true }
            case 15: if asciiEqualsIgnoringCase(name, "x-forwarded-for") { hasForwardedFor = true }
            case 16: if asciiEqualsIgnoringCase(name, "x-forwarded-host") { hasForwardedHost = true }
            case 17: if asciiEqualsIgnoringCase(name, "x-forwarded-proto") { hasForwardedProto = true }
            default: break
            }
        }
        let chunked = hasTransferEncoding && head.headers[canonicalForm: "transfer-encoding"].contains { $0.lowercased() == "chunked" }
        let listed = connectionListsOthers ? HopByHopHeaders.connectionListed(in: head.headers) : []
        let replacesForwardedFor = hasForwardedFor && clientAddress != nil
        // The new list in one go (`HTTPHeaders.add`/`remove` each rescan or re-check it).
        var headers: [(String, String)] = []
        headers.reserveCapacity(head.headers.count + 3)
        for (name, value) in head.headers {
            if hasHopByHop, HopByHopHeaders.fixed(name) != nil || HopByHopHeaders.isListed(name, in: listed) { continue }
            // The router answers `Expect: 100-continue` itself (as nginx does) and streams the body.
            if hasExpect, asciiEqualsIgnoringCase(name, "expect") { continue }
            if replacesForwardedFor, asciiEqualsIgnoringCase(name, "x-forwarded-for") { continue }
            headers.append((name, value))
        }
        if chunked {
            // Keep the body framed for methods NIO's encoder would not chunk on its own (a GET
            // with a body); the encoder still owns the actual chunking.
            headers.append(("transfer-encoding", "chunked"))
        }
        if let clientAddress {
            if replacesForwardedFor {
                let earlier = head.headers["x-forwarded-for"].joined(separator: ", ")
                headers.append(("X-Forwarded-For", earlier.isEmpty ? clientAddress : earlier + ", " + clientAddress))
            } else {
                headers.append(("X-Forwarded-For", clientAddress))
            }
        }
        if !hasForwardedProto { headers.append(("X-Forwarded-Proto", "http")) }
        if !hasForwardedHost, let host { headers.append(("X-Forwarded-Host", host)) }
        var forwarded = head
        forwarded.headers = HTTPHeaders(headers)
        if forwarded.version != .http1_1 { forwarded.version = .http1_1 }
        return (forwarded, hasExpect && expectsContinue(head))
    }

    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        head.headers[canonicalForm: "expect"].contains { $0.lowercased() == "100-continue" }
    }
}
