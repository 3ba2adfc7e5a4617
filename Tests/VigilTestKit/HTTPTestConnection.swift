import Foundation

/// An HTTP response as a test sees it.
public struct HTTPTestResponse: Sendable {
    public var status: Int
    /// Header names lowercased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: String
}

/// One blocking HTTP/1.1 connection to a loopback server that stays open across requests, for
/// testing keep-alive and pipelining. Every read and write gives up after `timeout`.
///
/// ```swift
/// let connection = try HTTPTestConnection(port: port)
/// let first = try connection.request(path: "/health")
/// let second = try connection.request(path: "/")   // same TCP connection
/// ```
public final class HTTPTestConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []
    public let host: String
    public let port: UInt16

    public init(host: String = "127.0.0.1", port: UInt16, timeout: Duration = .seconds(10)) throws {
        self.host = host
        self.port = port
        fd = try connectedTCPSocket(host: host, port: port, timeout: timeout)
    }

    deinit { Glibc.close(fd) }

    /// Sends one request and reads its response. Adds `Host` and, with a body, `Content-Length`.
    public func request(method: String = "GET", path: String, headers: [String: String] = [:], body: String = "") throws -> HTTPTestResponse {
        try send(raw: Self.format(method: method, host: host, port: port, path: path, headers: headers, body: body))
        return try readResponse(hasBody: method != "HEAD")
    }

    /// Writes bytes as they are (several requests at once, to test pipelining).
    public func send(raw text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw TestKitError("write to \(host):\(port) failed: \(Self.systemError())") }
            offset += written
        }
    }

    /// Reads the next response: status line, headers, then a `Content-Length` body (or, without
    /// one, everything until the server closes). Pass `hasBody: false` for the answer to a HEAD.
    public func readResponse(hasBody: Bool = true) throws -> HTTPTestResponse {
        var headEnd = find(Array("\r\n\r\n".utf8))
        while headEnd == nil {
            guard try fill() else { throw TestKitError("\(host):\(port) closed the connection before a response head") }
            headEnd = find(Array("\r\n\r\n".utf8))
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusParts = lines.removeFirst().split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw TestKitError("\(host):\(port) sent a malformed status line in: \(head)")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if !hasBody { return HTTPTestResponse(status: status, headers: headers, body: "") }
        if let length = headers["content-length"].flatMap({ Int($0) }) {
            while buffer.count < length {
                guard try fill() else { throw TestKitError("\(host):\(port) closed the connection mid-body") }
            }
        } else {
            while try fill() {}
        }
        let length = headers["content-length"].flatMap { Int($0) } ?? buffer.count
        let body = String(decoding: buffer[..<length], as: UTF8.self)
        buffer.removeFirst(length)
        return HTTPTestResponse(status: status, headers: headers, body: body)
    }

    /// The text of one request, as `request` sends it.
    public static func format(method: String, host: String, port: UInt16, path: String, headers: [String: String] = [:], body: String = "") -> String {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { text += "Content-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + body
    }

    /// Reads more bytes; false at end of stream. Throws on timeout or error.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[..<count])
                return true
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            throw TestKitError("reading from \(host):\(port) failed: \(Self.systemError())")
        }
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for index in 0...(buffer.count - needle.count) where buffer[index] == needle[0] {
            if Array(buffer[index..<index + needle.count]) == needle { return index }
        }
        return nil
    }

    static func systemError() -> String { String(cString: strerror(errno)) }
}
