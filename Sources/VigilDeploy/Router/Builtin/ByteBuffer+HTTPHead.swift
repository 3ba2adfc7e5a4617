import NIOCore
import NIOHTTP1

/// Message heads written the way NIO's HTTP encoders write them, in far fewer checked writes.
///
/// NIO's `ByteBuffer.write(headers:)` makes four bounds- and exclusivity-checked writes per
/// header (name, `: `, value, CRLF): about twenty per head, 12% of the router's instructions per
/// request. These reserve room once and copy each string with `memcpy`; the bytes are the same.
extension ByteBuffer {
    /// `METHOD uri HTTP/x.y` and CRLF.
    mutating func writeRequestLine(_ head: HTTPRequestHead) {
        let method = head.method.rawValue
        writeUnchecked(reserving: method.utf8.count + head.uri.utf8.count + 24) { out in
            out.put(method)
            out.put(" ")
            out.put(head.uri)
            out.put(" ")
            out.putVersion(head.version)
            out.put("\r\n")
        }
    }

    /// `HTTP/x.y code reason` and CRLF.
    mutating func writeStatusLine(version: HTTPVersion, status: HTTPResponseStatus) {
        if version == .http1_1, status == .ok {
            writeStaticString("HTTP/1.1 200 OK\r\n")
            return
        }
        let code = String(status.code)
        let reason = status.reasonPhrase
        writeUnchecked(reserving: code.utf8.count + reason.utf8.count + 24) { out in
            out.putVersion(version)
            out.put(" ")
            out.put(code)
            out.put(" ")
            out.put(reason)
            out.put("\r\n")
        }
    }

    /// `name: value` and CRLF for every header of `headers` that `keep` accepts (not the blank
    /// line that ends the head).
    mutating func writeHeaderLines(_ headers: HTTPHeaders, where keep: (String) -> Bool) {
        var room = 0
        for (name, value) in headers { room += name.utf8.count + value.utf8.count + 4 }
        writeUnchecked(reserving: room) { out in
            for (name, value) in headers where keep(name) {
                out.put(name)
                out.put(": ")
                out.put(value)
                out.put("\r\n")
            }
        }
    }

    /// Copies into the writable bytes through `HeadBytes`, which never writes past `reserving`.
    private mutating func writeUnchecked(reserving room: Int, _ body: (inout HeadBytes) -> Void) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: room) { buffer in
            var out = HeadBytes(base: buffer.baseAddress!, capacity: room)
            body(&out)
            return out.count
        }
    }
}

/// A cursor over reserved bytes: `put` copies a string's UTF-8 and advances.
struct HeadBytes {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var count = 0

    init(base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    @inline(__always)
    mutating func put(_ text: String) {
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            precondition(count + bytes.count <= capacity, "HTTP head larger than reserved")
            if let start = bytes.baseAddress { (base + count).copyMemory(from: start, byteCount: bytes.count) }
            count += bytes.count
            return true
        }
        if copied == nil {
            for byte in text.utf8 { put(byte) }
        }
    }

    @inline(__always)
    mutating func put(_ text: StaticString) {
        precondition(count + text.utf8CodeUnitCount <= capacity, "HTTP head larger than reserved")
        (base + count).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    @inline(__always)
    mutating func put(_ byte: UInt8) {
        precondition(count < capacity, "HTTP head larger than reserved")
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    mutating func putVersion(_ version: HTTPVersion) {
        switch (version.major, version.minor) {
        case (1, 1): put("HTTP/1.1")
        case (1, 0): put("HTTP/1.0")
        default:
            put("HTTP/")
            put(String(version.major))
            put(".")
            put(String(version.minor))
        }
    }
}
