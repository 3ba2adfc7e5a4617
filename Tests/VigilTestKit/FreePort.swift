import Foundation

/// A TCP port on 127.0.0.1 that was free a moment ago: the kernel picks it (bind to port 0),
/// the socket closes, the port is returned.
///
/// Another process may grab it before the test binds it, which is rare with the kernel's
/// ephemeral-port rotation; tests that need certainty retry on "address in use". Within this
/// test process a port is never handed out twice: the kernel may offer a just-closed port again
/// at once, and a test asking for a blue and a green port must get two different ones.
public func freeTCPPort() throws -> UInt16 {
    for _ in 0..<100 {
        let port = try kernelPickedPort()
        if handedOut.withLock({ $0.insert(port).inserted }) { return port }
    }
    throw TestKitError("the kernel kept offering ports this test process already handed out; too many ports in use?")
}

private let handedOut = LockedPorts()

private final class LockedPorts: @unchecked Sendable {
    private let lock = NSLock()
    private var ports: Set<UInt16> = []
    func withLock<T>(_ body: (inout Set<UInt16>) -> T) -> T {
        lock.lock(); defer { lock.unlock() }
        return body(&ports)
    }
}

private func kernelPickedPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestKitError("socket(): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    return try bindLoopbackEphemeralPort(fd)
}
