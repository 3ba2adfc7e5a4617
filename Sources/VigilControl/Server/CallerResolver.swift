import Foundation
import Glibc
import VigilManifest
import VigilSupervisor

/// Finds out who a peer of the control socket is and which role it has.
///
/// In this order:
/// 1. A process Vigil supervises (the peer, or its process group, session or an ancestor, is
///    an instance's process) gets the `controlRole` of that service's manifest (default viewer),
///    whatever its uid: a service running as root does not become admin.
/// 2. uid 0 is admin.
/// 3. Any other uid gets the highest role `control.roles` grants its user or one of its groups
///    (from the user database), else none.
struct CallerResolver {
    /// `control.roles`.
    var grants: [RoleGrant]
    /// The running instances' process ids (each leads its own process group and session), by service.
    var instancePIDs: [String: Set<pid_t>]
    /// Each service's `controlRole`.
    var serviceRoles: [String: Role?]

    /// getpwuid, getgrouplist and getgrgid share static buffers: one caller at a time.
    private static let userDatabase = NSLock()

    func resolve(_ peer: PeerCredentials) -> Caller {
        Self.userDatabase.withLock { resolveLocked(peer) }
    }

    private func resolveLocked(_ peer: PeerCredentials) -> Caller {
        let user = Self.userName(peer.uid)
        var caller = Caller(uid: peer.uid, user: user, pid: peer.pid)
        if let service = supervisedService(peer.pid) {
            let role = (serviceRoles[service] ?? nil) ?? .viewer
            caller.service = service
            caller.role = role
            caller.grantedBy = "controlRole of service \(service)"
        } else if peer.uid == 0 {
            caller.role = .admin
            caller.grantedBy = "uid 0"
        } else if let user {
            let groups = Self.groupNames(user: user, gid: peer.gid)
            let granted = grants.filter { grant in
                switch grant.subject {
                case .user(let name): name == user
                case .group(let name): groups.contains(name)
                }
            }.max { $0.role < $1.role }
            if let granted {
                caller.role = granted.role
                switch granted.subject {
                case .user(let name): caller.grantedBy = "user \(name)"
                case .group(let name): caller.grantedBy = "group \(name)"
                }
            }
        }
        return caller
    }

    /// The service whose instance `pid` belongs to: its process group or session is an
    /// instance's, or one of its ancestors (up to Vigil or init) is an instance.
    func supervisedService(_ pid: pid_t) -> String? {
        func owner(_ candidate: pid_t) -> String? {
            instancePIDs.first { $0.value.contains(candidate) }?.key
        }
        var current = pid
        for _ in 0..<64 {
            guard current > 1, current != getpid(), let stat = ProcStat.read("\(current)") else { return nil }
            if let service = owner(current) ?? owner(stat.processGroup) ?? owner(stat.session) { return service }
            current = stat.parentPID
        }
        return nil
    }

    static func userName(_ uid: uid_t) -> String? {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// The names of `user`'s groups: its primary group `gid` and the supplementary ones.
    static func groupNames(user: String, gid: gid_t) -> Set<String> {
        var count: Int32 = 64
        var ids = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, gid, &ids, &count) < 0 {
            ids = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(user, gid, &ids, &count)
        }
        return Set(ids.prefix(Int(max(count, 0))).compactMap { id in
            getgrgid(id).flatMap { $0.pointee.gr_name.map { String(cString: $0) } }
        })
    }
}
