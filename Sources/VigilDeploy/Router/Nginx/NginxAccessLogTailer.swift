import Foundation
import NIOConcurrencyHelpers
import VigilManifest

/// Follows nginx's access log (`nginx.accessLog`) and feeds each line to the color whose port
/// answered it, so analysis sees the same per-color stats as with the builtin router.
///
/// Polls every `interval` from where it left off; starts at the end of the file (old lines
/// are not this rollout's), and starts over from the beginning when the file was rotated
/// (another inode) or truncated. Lines are timed when read, at most `interval` late.
final class NginxAccessLogTailer: Sendable {
    let path: String
    private let interval: Duration
    private let portsToColors: NIOLockedValueBox<[UInt16: Color]>
    private let traffic: [Color: ColorTraffic]
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(path: String, ports: [Color: UInt16], traffic: [Color: ColorTraffic], interval: Duration = .milliseconds(200)) {
        self.path = path
        self.interval = interval
        self.traffic = traffic
        portsToColors = NIOLockedValueBox(Self.invert(ports))
    }

    /// The colors' ports changed (a new table).
    func update(ports: [Color: UInt16]) {
        portsToColors.withLockedValue { $0 = Self.invert(ports) }
    }

    func start() {
        var position = Position(path: path)
        position.skipToEnd()
        let loop = Task { [self] in
            while !Task.isCancelled {
                for line in position.readNewLines() { record(line) }
                try? await Task.sleep(for: interval)
            }
        }
        task.withLockedValue { $0 = loop }
    }

    func stop() {
        task.withLockedValue { $0?.cancel() }
    }

    private func record(_ text: Substring) {
        guard let line = NginxAccessLogLine(text) else { return }
        let colors = portsToColors.withLockedValue { $0 }
        for port in line.failedPorts {
            if let color = colors[port] { traffic[color]?.recordConnectFailure() }
        }
        guard let color = colors[line.port] else { return }
        traffic[color]?.recordResponse(status: line.status, latencyNanoseconds: line.latencyNanoseconds ?? 0)
    }

    private static func invert(_ ports: [Color: UInt16]) -> [UInt16: Color] {
        Dictionary(ports.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
    }

    /// Where the tailer is in the file: its inode, the offset read up to, a partial last line.
    private struct Position {
        let path: String
        var inode: UInt64 = 0
        var offset: Int64 = 0
        var partial: [UInt8] = []
        /// Read into at every poll (made once, not every 200ms).
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        init(path: String) { self.path = path }

        mutating func skipToEnd() {
            var info = stat()
            guard stat(path, &info) == 0 else { return }
            inode = UInt64(info.st_ino)
            offset = Int64(info.st_size)
        }

        mutating func readNewLines() -> [Substring] {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return [] }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0 else { return [] }
            if UInt64(info.st_ino) != inode || Int64(info.st_size) < offset {
                inode = UInt64(info.st_ino)
                offset = 0
                partial = []
            }
            var bytes = partial
            while true {
                let count = pread(fd, &buffer, buffer.count, off_t(offset))
                guard count > 0 else { break }
                bytes.append(contentsOf: buffer[..<count])
                offset += Int64(count)
            }
            guard let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) else {
                partial = bytes
                return []
            }
            partial = Array(bytes[(lastNewline + 1)...])
            return String(decoding: bytes[...lastNewline], as: UTF8.self).split(separator: "\n")
        }
    }
}
