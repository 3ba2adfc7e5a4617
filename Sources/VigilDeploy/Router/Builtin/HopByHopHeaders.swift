import NIOHTTP1

/// The headers that describe one connection rather than the message (RFC 9110 §7.6.1): a proxy
/// must not forward them. `Transfer-Encoding` is among them because each side is re-framed
/// (chunked or Content-Length, as `MessageFraming` decides) independently of how the body arrived.
enum HopByHopHeaders {
    /// The headers that are hop-by-hop whatever `Connection` lists.
    enum Fixed {
        case connection, keepAlive, proxyConnection, te, trailer, upgrade, transferEncoding, proxyAuthenticate, proxyAuthorization
    }

    /// Which headers of a message are end-to-end, found in one scan and asked per name while
    /// the head is copied out (no new `HTTPHeaders` is built, and no `String` is made unless
    /// `Connection` lists other headers).
    struct Filter {
        /// Any fixed hop-by-hop header is present (otherwise every header is kept).
        let hasHopByHop: Bool
        /// The names `Connection` lists besides `keep-alive` and `close`, lowercased.
        let listed: [String]
        /// A `Content-Length` the filter keeps (the framing decision needs it).
        let hasContentLength: Bool

        init(_ headers: HTTPHeaders) {
            var present = false
            var listsOtherHeaders = false
            var contentLength = false
            for (name, value) in headers {
                if let fixed = HopByHopHeaders.fixed(name) {
                    present = true
                    if fixed == .connection, HopByHopHeaders.namesOtherHeaders(value) { listsOtherHeaders = true }
                } else if !contentLength, asciiEqualsIgnoringCase(name, "content-length") {
                    contentLength = true
                }
            }
            hasHopByHop = present
            listed = listsOtherHeaders ? HopByHopHeaders.connectionListed(in: headers) : []
            hasContentLength = contentLength && !HopByHopHeaders.isListed("content-length", in: listed)
        }

        @inline(__always)
        func keeps(_ name: String) -> Bool {
            !hasHopByHop || (HopByHopHeaders.fixed(name) == nil && !HopByHopHeaders.isListed(name, in: listed))
        }
    }

    /// Whether a `Connection` value lists headers besides `keep-alive` and `close`.
    @inline(__always)
    static func namesOtherHeaders(_ connection: String) -> Bool {
        !asciiEqualsIgnoringCase(connection, "keep-alive") && !asciiEqualsIgnoringCase(connection, "close")
    }

    /// The header names `Connection` lists, lowercased.
    static func connectionListed(in headers: HTTPHeaders) -> [String] {
        headers[canonicalForm: "connection"].map { $0.lowercased() }
    }

    @inline(__always)
    static func isListed(_ name: String, in listed: [String]) -> Bool {
        !listed.isEmpty && listed.contains(name.lowercased())
    }

    /// Which fixed hop-by-hop header `name` (any case) is, nil for an end-to-end header.
    static func fixed(_ name: String) -> Fixed? {
        switch name.utf8.count {
        case 2: return asciiEqualsIgnoringCase(name, "te") ? .te : nil
        case 7: return asciiEqualsIgnoringCase(name, "trailer") ? .trailer : asciiEqualsIgnoringCase(name, "upgrade") ? .upgrade : nil
        case 10: return asciiEqualsIgnoringCase(name, "connection") ? .connection : asciiEqualsIgnoringCase(name, "keep-alive") ? .keepAlive : nil
        case 16: return asciiEqualsIgnoringCase(name, "proxy-connection") ? .proxyConnection : nil
        case 17: return asciiEqualsIgnoringCase(name, "transfer-encoding") ? .transferEncoding : nil
        case 18: return asciiEqualsIgnoringCase(name, "proxy-authenticate") ? .proxyAuthenticate : nil
        case 19: return asciiEqualsIgnoringCase(name, "proxy-authorization") ? .proxyAuthorization : nil
        default: return nil
        }
    }
}

/// Whether `text` is `lowercase` in any ASCII case; `lowercase` holds only lowercase letters,
/// digits and `-` (a byte `| 0x20` is then compared, with no `String` made).
@inline(__always)
func asciiEqualsIgnoringCase(_ text: String, _ lowercase: StaticString) -> Bool {
    let count = lowercase.utf8CodeUnitCount
    guard text.utf8.count == count else { return false }
    let expected = UnsafeBufferPointer(start: lowercase.utf8Start, count: count)
    return text.utf8.withContiguousStorageIfAvailable { bytes in
        for index in 0..<count where bytes[index] | 0x20 != expected[index] { return false }
        return true
    } ?? text.utf8.elementsEqual(expected) { $0 | 0x20 == $1 }
}
