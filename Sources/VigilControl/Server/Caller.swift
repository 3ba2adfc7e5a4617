import VigilManifest

/// Who called the control API and the role that gives it; what the audit log records.
struct Caller: Sendable, Equatable {
    /// The peer's uid (SO_PEERCRED).
    var uid: UInt32
    /// The user name of `uid`, or nil when the host has none.
    var user: String?
    /// The peer's process id.
    var pid: Int32
    /// The service whose processes the peer is one of, when Vigil supervises it.
    var service: String?
    /// Nil: the caller may do nothing (403 for every request).
    var role: Role?
    /// Where the role came from, for 403 details and the audit log: "uid 0",
    /// "group vigil-ops", "user alice", "service web (controlRole)".
    var grantedBy: String?

    /// "uid 1001 (alice)", or "service web, pid 4242, uid 0 (root)": how messages name the caller.
    var description: String {
        let who = "uid \(uid)" + (user.map { " (\($0))" } ?? "")
        return service.map { "service \($0), pid \(pid), \(who)" } ?? who
    }
}
