import Foundation
import VigilTestKit

/// A minimal RFC 6455 client over a blocking socket, enough to test `/ws`: the upgrade
/// handshake, masked text frames out, fragmented text frames in.
final class WebSocketTestClient {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16, path: String, timeout: Int = 30) throws {
        fd = try connectedTCPSocket(port: port, timeout: .seconds(timeout))
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        try write(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8))
        let terminator = Array("\r\n\r\n".utf8)
        while true {
            if let end = buffer.indices.dropLast(3).first(where: { Array(buffer[$0..<$0 + 4]) == terminator }) {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                guard head.hasPrefix("HTTP/1.1 101") else { throw TestKitError("upgrade refused: \(head)") }
                return
            }
            try fill()
        }
    }

    deinit { close(fd) }

    func sendText(_ text: String) throws {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try write(frame)
    }

    /// The next complete text message (control frames skipped).
    func receiveText() throws -> String {
        var message: [UInt8] = []
        while true {
            let (fin, opcode, payload) = try readFrame()
            if opcode >= 0x8 { continue }
            message += payload
            if fin { return String(decoding: message, as: UTF8.self) }
        }
    }

    /// The next text message decoded as a JSON object.
    func receiveJSON() throws -> [String: Any] {
        let text = try receiveText()
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw TestKitError("not a JSON object: \(text.prefix(200))")
        }
        return object
    }

    private func readFrame() throws -> (Bool, UInt8, [UInt8]) {
        try need(2)
        let fin = buffer[0] & 0x80 != 0
        let opcode = buffer[0] & 0x0f
        var length = Int(buffer[1] & 0x7f)
        var offset = 2
        if length == 126 {
            try need(4)
            length = Int(buffer[2]) << 8 | Int(buffer[3])
            offset = 4
        } else if length == 127 {
            try need(10)
            length = (2..<10).reduce(0) { $0 << 8 | Int(buffer[$1]) }
            offset = 10
        }
        try need(offset + length)
        let payload = Array(buffer[offset..<offset + length])
        buffer.removeFirst(offset + length)
        return (fin, opcode, payload)
    }

    private func need(_ count: Int) throws {
        while buffer.count < count { try fill() }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw TestKitError("WebSocket closed or timed out") }
        buffer += chunk[..<n]
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestKitError("WebSocket write failed") }
            offset += n
        }
    }
}
