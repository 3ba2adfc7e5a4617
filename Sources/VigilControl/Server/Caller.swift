import VigilManifest

/// Who called the control API and the role that gives it; what the audit log records.
///
/// On the socket, a process (uid, pid, and the service it belongs to when Vigil supervises
/// it); on the TCP listener, the name of the token it presented.
struct Caller: Sendable, Equatable {
    /// The peer's uid (SO_PEERCRED) and its user name, when the host has one.
    var uid: UInt32?
    var user: String?
    /// The peer's process id.
    var pid: Int32?
    /// The service whose processes the peer is one of, when Vigil supervises it.
    var service: String?
    /// The `control.tokens` name presented on the TCP listener.
    var token: String?
    /// The `control.webhooks` entry whose secret signed the call.
    var webhook: String?
    /// Nil: the caller may do nothing (403 for every request).
    var role: Role?
    /// Where the role came from, for 403 details: "uid 0", "group vigil-ops", "user alice",
    /// "controlRole of service web", "token ci".
    var grantedBy: String?

    /// A process on the control socket, with no role yet.
    init(uid: UInt32, user: String?, pid: Int32) {
        self.uid = uid
        self.user = user
        self.pid = pid
    }

    /// A caller on the TCP listener, known by its token.
    init(token: String, role: Role) {
        self.token = token
        self.role = role
        grantedBy = "token \(token)"
    }

    /// A signed webhook call: operator, for the services the webhook lists only.
    init(webhook: String) {
        self.webhook = webhook
        role = .operator
        grantedBy = "webhook \(webhook)"
    }

    /// "uid 1001 (alice)", "service web, pid 4242, uid 0 (root)" or "token ci": how messages name the caller.
    var description: String {
        if let token { return "token \(token)" }
        if let webhook { return "webhook \(webhook)" }
        let who = "uid \(uid.map(String.init) ?? "?")" + (user.map { " (\($0))" } ?? "")
        return service.map { "service \($0), pid \(pid.map(String.init) ?? "?"), \(who)" } ?? who
    }
}
