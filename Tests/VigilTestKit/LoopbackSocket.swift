import Foundation

/// A blocking TCP socket connected to `host:port` (IPv4, loopback in tests), with `timeout` on
/// every read and write. The caller owns (and closes) the descriptor.
public func connectedTCPSocket(host: String = "127.0.0.1", port: UInt16, timeout: Duration = .seconds(10)) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestKitError("socket(): \(String(cString: strerror(errno)))") }
    var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
        close(fd)
        throw TestKitError("\(host) is not an IPv4 address; tests talk to 127.0.0.1")
    }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        let reason = String(cString: strerror(errno))
        close(fd)
        throw TestKitError("cannot connect to \(host):\(port): \(reason)")
    }
    return fd
}
