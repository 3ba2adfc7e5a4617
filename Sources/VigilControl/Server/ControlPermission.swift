import Hummingbird
import VigilManifest

/// The control API's calls and the role each needs (SPEC section 9):
///
/// | role | may |
/// |---|---|
/// | viewer | `GET /v1/status`, `/v1/services/{name}`, `/v1/services/{name}/history`, `/v1/events`, `/v1/reclaim` |
/// | operator | also `POST /v1/services/{name}/{deploy,promote,rollback,start,stop,restart}` |
/// | admin | also `POST /v1/reload`, `/v1/reclaim`, `/v1/chaos/faults`, `GET /v1/audit`, anything else |
///
/// A call not in the table needs admin: a new endpoint is closed until it is given a role here.
enum ControlPermission {
    struct Route {
        let method: HTTPRequest.Method
        /// Path segments after `/v1`; `*` matches any one segment.
        let segments: [String]
        let role: Role
    }

    static let routes: [Route] = [
        Route(method: .get, segments: ["status"], role: .viewer),
        Route(method: .get, segments: ["events"], role: .viewer),
        Route(method: .get, segments: ["services", "*"], role: .viewer),
        Route(method: .get, segments: ["services", "*", "history"], role: .viewer),
        // The last reading of the watched filesystems (`vigil status` shows those above high).
        Route(method: .get, segments: ["reclaim"], role: .viewer),
        Route(method: .post, segments: ["services", "*", "*"], role: .operator),
        Route(method: .post, segments: ["reload"], role: .admin),
        Route(method: .post, segments: ["reclaim"], role: .admin),
        Route(method: .post, segments: ["chaos", "faults"], role: .admin),
        Route(method: .get, segments: ["audit"], role: .admin),
        // Signed webhook calls (WebhookVerifier), limited to the webhook's services.
        Route(method: .post, segments: ["hooks", "*"], role: .operator),
    ]

    /// The role `method path` needs: that of its route, admin for anything else.
    static func requiredRole(method: HTTPRequest.Method, path: String) -> Role {
        routes.first { $0.method == method && matches($0, path) }?.role ?? .admin
    }

    /// The methods the API answers on `path`, for a 405's `Allow`; empty for an unknown path.
    static func allowedMethods(path: String) -> [HTTPRequest.Method] {
        routes.filter { matches($0, path) }.map(\.method)
    }

    /// Whether a call changes something, and so is audited.
    static func changesSomething(_ method: HTTPRequest.Method) -> Bool {
        method != .get && method != .head && method != .options
    }

    private static func matches(_ route: Route, _ path: String) -> Bool {
        let parts = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first?
            .split(separator: "/").map(String.init) ?? []
        guard parts.first == "v1", parts.count == route.segments.count + 1 else { return false }
        return zip(route.segments, parts.dropFirst()).allSatisfy { $0 == "*" || $0 == $1 }
    }
}
