import Foundation

/// One control API call that changed something, or tried to (SPEC section 9), as
/// `GET /v1/audit` answers it: `{"audit": [{"id", "time", "uid", "user", "service", "pid",
/// "token", "webhook", "role", "method", "endpoint", "arguments", "status", "outcome"}]}`, absent values `null`.
public struct AuditRecord: Codable, Sendable, Equatable {
    /// Assigned when stored; 0 before.
    public var id: Int64
    public var time: Date
    /// The caller's uid (SO_PEERCRED) and its user name.
    @ExplicitNull public var uid: UInt32?
    @ExplicitNull public var user: String?
    /// The supervised service the caller is a process of, with its pid.
    @ExplicitNull public var service: String?
    @ExplicitNull public var pid: Int32?
    /// The name of the `control.tokens` entry a TCP caller presented.
    @ExplicitNull public var token: String?
    /// The `control.webhooks` entry a signed webhook call came through.
    @ExplicitNull public var webhook: String?
    /// The caller's role; null when it has none.
    @ExplicitNull public var role: String?
    /// `POST`, and the path with its query: `/v1/services/web/deploy`.
    public var method: String
    public var endpoint: String
    /// The request body (JSON) with secret values replaced by `***`.
    @ExplicitNull public var arguments: String?
    /// The HTTP status answered: 200, 403, 400 ...
    public var status: Int
    /// "ok", or the error answered (`error: detail`).
    public var outcome: String

    public init(
        id: Int64 = 0, time: Date = Date(), uid: UInt32?, user: String?, service: String?, pid: Int32?, token: String? = nil, webhook: String? = nil, role: String?,
        method: String, endpoint: String, arguments: String?, status: Int, outcome: String
    ) {
        self.id = id
        self.time = time
        self.uid = uid
        self.user = user
        self.service = service
        self.pid = pid
        self.token = token
        self.webhook = webhook
        self.role = role
        self.method = method
        self.endpoint = endpoint
        self.arguments = arguments
        self.status = status
        self.outcome = outcome
    }
}

/// The body of `GET /v1/audit`.
public struct AuditList: Codable, Sendable {
    public var audit: [AuditRecord]
    public init(audit: [AuditRecord]) { self.audit = audit }
}
