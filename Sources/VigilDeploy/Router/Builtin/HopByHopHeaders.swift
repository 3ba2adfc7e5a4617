import NIOHTTP1

/// The headers that describe one connection rather than the message (RFC 9110 §7.6.1): a proxy
/// must not forward them. `Transfer-Encoding` is among them because each side is re-framed by
/// NIO's encoder (chunked or Content-Length) independently of how the body arrived.
enum HopByHopHeaders {
    static let names = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "transfer-encoding", "proxy-authenticate", "proxy-authorization"]

    /// Removes the fixed hop-by-hop headers and every header named in `Connection`.
    ///
    /// One pass finds whether any is present; if so the others are copied into a new list in
    /// one go (`HTTPHeaders.remove` rescans the list per name and costs far more), and no
    /// `String` is made unless `Connection` lists other headers.
    static func strip(_ headers: inout HTTPHeaders) {
        var present = false
        var listsOtherHeaders = false
        for (name, value) in headers {
            guard let index = fixedIndex(of: name) else { continue }
            present = true
            if index == 0, !asciiEqualsIgnoringCase(value, "keep-alive"), !asciiEqualsIgnoringCase(value, "close") {
                listsOtherHeaders = true
            }
        }
        guard present else { return }
        let listed = listsOtherHeaders ? connectionListed(in: headers) : []
        var kept: [(String, String)] = []
        kept.reserveCapacity(headers.count)
        for (name, value) in headers where fixedIndex(of: name) == nil && !isListed(name, in: listed) {
            kept.append((name, value))
        }
        headers = HTTPHeaders(kept)
    }

    /// The header names `Connection` lists, lowercased.
    static func connectionListed(in headers: HTTPHeaders) -> [String] {
        headers[canonicalForm: "connection"].map { $0.lowercased() }
    }

    @inline(__always)
    static func isListed(_ name: String, in listed: [String]) -> Bool {
        !listed.isEmpty && listed.contains(name.lowercased())
    }

    /// The index in `names` of `name` (any case), nil for an end-to-end header.
    static func fixedIndex(of name: String) -> Int? {
        switch name.utf8.count {
        case 2: return asciiEqualsIgnoringCase(name, "te") ? 3 : nil
        case 7: return asciiEqualsIgnoringCase(name, "trailer") ? 4 : asciiEqualsIgnoringCase(name, "upgrade") ? 5 : nil
        case 10: return asciiEqualsIgnoringCase(name, "connection") ? 0 : asciiEqualsIgnoringCase(name, "keep-alive") ? 1 : nil
        case 16: return asciiEqualsIgnoringCase(name, "proxy-connection") ? 2 : nil
        case 17: return asciiEqualsIgnoringCase(name, "transfer-encoding") ? 6 : nil
        case 18: return asciiEqualsIgnoringCase(name, "proxy-authenticate") ? 7 : nil
        case 19: return asciiEqualsIgnoringCase(name, "proxy-authorization") ? 8 : nil
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
