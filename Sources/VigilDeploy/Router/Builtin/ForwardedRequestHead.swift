import NIOCore
import NIOHTTP1

/// The request head as the color receives it: HTTP/1.1, hop-by-hop headers removed, the client
/// appended to `X-Forwarded-For`, `X-Forwarded-Proto`/`X-Forwarded-Host` added when absent.
enum ForwardedRequestHead {
    static func make(from head: HTTPRequestHead, clientAddress: String?) -> HTTPRequestHead {
        var headers = head.headers
        let chunked = headers[canonicalForm: "transfer-encoding"].contains { $0.lowercased() == "chunked" }
        HopByHopHeaders.strip(&headers)
        // The router answers `Expect: 100-continue` itself (as nginx does) and streams the body.
        headers.remove(name: "expect")
        if chunked {
            // Keep the body framed for methods NIO's encoder would not chunk on its own (a GET
            // with a body); the encoder still owns the actual chunking.
            headers.add(name: "transfer-encoding", value: "chunked")
        }
        if let clientAddress {
            let earlier = headers["x-forwarded-for"].joined(separator: ", ")
            headers.remove(name: "x-forwarded-for")
            headers.add(name: "X-Forwarded-For", value: earlier.isEmpty ? clientAddress : earlier + ", " + clientAddress)
        }
        if !headers.contains(name: "x-forwarded-proto") { headers.add(name: "X-Forwarded-Proto", value: "http") }
        if !headers.contains(name: "x-forwarded-host"), let host = headers.first(name: "host") {
            headers.add(name: "X-Forwarded-Host", value: host)
        }
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri, headers: headers)
    }

    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        head.headers[canonicalForm: "expect"].contains { $0.lowercased() == "100-continue" }
    }
}
