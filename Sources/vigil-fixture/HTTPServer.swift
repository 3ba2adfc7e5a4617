import Glibc

/// The listening socket and the accept loop: one thread per connection, blocking I/O.
///
/// Binding is separate from serving so `main` can report a bind failure (exit 2) before it
/// prints the "listening" line that tests and Vigil wait for.
struct HTTPServer {
    let fd: Int32
    /// The bound port (differs from the requested one when that was 0).
    let port: UInt16

    /// A bad `--host` or a failed bind/listen, with the system's reason.
    struct BindError: Error {
        var message: String
    }

    /// Binds `host:port` (IPv4 or IPv6 literal, or `localhost`) with SO_REUSEADDR and listens.
    static func bind(host: String, port: UInt16) throws(BindError) -> HTTPServer {
        let address = host == "localhost" ? "127.0.0.1" : host
        let family = address.contains(":") ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BindError(message: "socket(): \(systemError())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))

        var storage = sockaddr_storage()
        let length: socklen_t
        if family == AF_INET6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, address, &sin6.sin6_addr) == 1 else {
                close(fd)
                throw BindError(message: "--host \(host) is not an IP address; use e.g. 127.0.0.1 or ::1")
            }
            withUnsafeBytes(of: sin6) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            guard inet_pton(AF_INET, address, &sin.sin_addr) == 1 else {
                close(fd)
                throw BindError(message: "--host \(host) is not an IP address; use e.g. 127.0.0.1 or ::1")
            }
            withUnsafeBytes(of: sin) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 1024) == 0 else {
            let reason = systemError()
            close(fd)
            throw BindError(message: "cannot listen on \(host):\(port): \(reason); choose a free --port or stop whatever holds it")
        }
        return HTTPServer(fd: fd, port: boundPort(fd) ?? port)
    }

    /// Accepts connections forever, each served on its own thread.
    func run(routes: Routes, faults: Faults) -> Never {
        while true {
            faults.waitWhileHung()
            let client = accept(fd, nil, nil)
            if client < 0 {
                // EMFILE/ENFILE/ENOMEM: back off instead of spinning; EINTR/ECONNABORTED: retry.
                if errno != EINTR && errno != ECONNABORTED { sleepMs(10) }
                continue
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let connection = HTTPConnection(fd: client, routes: routes, faults: faults)
            if !startThread({ connection.serve() }) {
                complain("cannot start a thread for a new connection; dropping it")
            }
        }
    }

    private static func boundPort(_ fd: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        return withUnsafeBytes(of: storage) { raw in
            if storage.ss_family == sa_family_t(AF_INET6) {
                return UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            }
            return UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
        }
    }
}

/// The text of the current `errno`, e.g. "Address already in use".
func systemError() -> String {
    String(cString: strerror(errno))
}
