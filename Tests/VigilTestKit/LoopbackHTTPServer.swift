import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 server on a 127.0.0.1 port or a Unix socket, one thread per connection,
/// with keep-alive. Each request goes to `handler`; the server counts connections so tests can
/// see reuse and closing.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: [UInt8]
    }

    public enum Reply: Sendable {
        case respond(status: Int, headers: [String: String], body: [UInt8])
        /// Read the request and never answer.
        case silent
        /// A chunked body: `chunks` with `pause` seconds between them; with `holdOpen`, keep
        /// sending `chunks.last` (at most 500 more) until the client goes away.
        case chunked(status: Int, chunks: [[UInt8]], pause: TimeInterval, holdOpen: Bool)
        /// Read the request and close the connection without a byte of answer; with `reset`,
        /// abort it (RST, as a killed process's socket does) instead of an orderly close.
        case hangUp(reset: Bool)
        /// A head announcing `contentLength` bytes, only `body` of them, then an orderly close.
        case truncated(status: Int, contentLength: Int, body: [UInt8])
    }

    public private(set) var port: UInt16 = 0
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let lock = NSLock()
    private var connections: Set<Int32> = []
    private var acceptedCount = 0
    private var closedCount = 0
    private var seen: [Request] = []

    /// Listens on `unixSocket` when given, else on an ephemeral 127.0.0.1 port.
    public init(unixSocket: String? = nil, handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        if let path = unixSocket {
            listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            try bindUnixSocket(listener, path: path)
        } else {
            listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            port = try bindLoopbackEphemeralPort(listener)
        }
        guard listen(listener, 512) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        Thread { [self] in acceptLoop() }.start()
    }

    public var accepted: Int { lock.withLock { acceptedCount } }
    public var closed: Int { lock.withLock { closedCount } }
    public var requests: [Request] { lock.withLock { seen } }

    /// Stops accepting and drops every open connection.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        lock.withLock { connections.forEach { _ = shutdown($0, Int32(SHUT_RDWR)) } }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                break
            }
            lock.withLock {
                acceptedCount += 1
                connections.insert(fd)
            }
            Thread { [self] in serve(fd) }.start()
        }
        close(listener)
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        defer {
            lock.withLock {
                closedCount += 1
                connections.remove(fd)
            }
            close(fd)
        }
        while let request = readRequest(fd, &buffer) {
            lock.withLock { seen.append(request) }
            switch handler(request) {
            case .respond(let status, let headers, let body):
                var head = "HTTP/1.1 \(status) Test\r\nContent-Length: \(body.count)\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                guard write(fd, Array((head + "\r\n").utf8) + body) else { return }
            case .silent:
                var byte: UInt8 = 0
                _ = recv(fd, &byte, 1, 0)
                return
            case .chunked(let status, let chunks, let pause, let holdOpen):
                guard write(fd, Array("HTTP/1.1 \(status) Test\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n".utf8)) else { return }
                let extra = holdOpen ? Array(repeating: chunks.last ?? [], count: 500) : []
                for chunk in chunks + extra {
                    guard write(fd, Array((String(chunk.count, radix: 16) + "\r\n").utf8) + chunk + Array("\r\n".utf8)) else { return }
                    Thread.sleep(forTimeInterval: pause)
                }
                guard write(fd, Array("0\r\n\r\n".utf8)) else { return }
            case .hangUp(let reset):
                if reset {
                    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                    setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                }
                return
            case .truncated(let status, let contentLength, let body):
                _ = write(fd, Array("HTTP/1.1 \(status) Test\r\nContent-Length: \(contentLength)\r\n\r\n".utf8) + body)
                return
            }
        }
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Request? {
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffer.indices.dropLast(3).first { buffer[$0..<($0 + 4)].elementsEqual(separator) }
            if headEnd == nil, !receive(fd, &buffer) { return nil }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headEnd! + 4
        while buffer.count < bodyStart + length {
            if !receive(fd, &buffer) { return nil }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func receive(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }
}
