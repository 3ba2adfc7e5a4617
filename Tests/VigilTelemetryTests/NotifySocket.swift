import Foundation
import VigilTestKit

/// The service manager's end of sd_notify(3) for a test: an AF_UNIX datagram socket bound at
/// `path`, to pass to a child as `NOTIFY_SOCKET`. Collects every datagram as its list of
/// `KEY=VALUE` assignments, in arrival order.
final class NotifySocket {
    let path: String
    private let fd: Int32
    /// Every datagram received so far, each split into its assignments.
    private(set) var datagrams: [[String]] = []

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestKitError("socket(AF_UNIX, SOCK_DGRAM): \(String(cString: strerror(errno)))") }
        do {
            try bindUnixSocket(fd, path: path)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Every assignment received so far, datagrams flattened in order.
    var assignments: [String] {
        receiveAvailable()
        return datagrams.flatMap { $0 }
    }

    /// How many `WATCHDOG=1` pings arrived so far.
    var watchdogPings: Int { assignments.filter { $0 == "WATCHDOG=1" }.count }

    /// Reads every datagram waiting on the socket without blocking.
    func receiveAvailable() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count > 0 else { return }
            let text = String(decoding: buffer[0..<count], as: UTF8.self)
            datagrams.append(text.split(separator: "\n").map(String.init))
        }
    }

    /// Polls until `condition` holds for the assignments received so far.
    func waitFor(timeout: Duration = .seconds(30), _ condition: ([String]) -> Bool) -> Bool {
        poll(timeout: timeout) { condition(assignments) }
    }
}
