import Glibc
import NIOCore

/// The process at the other end of a Unix socket connection, as the kernel recorded it when
/// it connected (SO_PEERCRED): it cannot be forged by the peer.
struct PeerCredentials: Sendable, Equatable {
    var pid: pid_t
    var uid: uid_t
    var gid: gid_t

    /// Reads SO_PEERCRED of the connection `channel` is; nil when it is not a Unix socket.
    static func of(_ channel: any Channel) async -> PeerCredentials? {
        guard case .unixDomainSocket = channel.localAddress, let provider = channel as? SocketOptionProvider else { return nil }
        let future: EventLoopFuture<KernelCredentials> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        guard let credentials = try? await future.get(), credentials.pid > 0 else { return nil }
        return PeerCredentials(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid)
    }
}

/// `struct ucred` of <sys/socket.h> (pid, uid, gid: three 32-bit fields), which Glibc only
/// declares under _GNU_SOURCE.
private struct KernelCredentials: Sendable {
    var pid: pid_t = 0
    var uid: uid_t = 0
    var gid: gid_t = 0
}
