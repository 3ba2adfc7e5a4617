import Hummingbird
@testable import VigilControl
import XCTest

/// The role table of the control API, without a server.
final class ControlPermissionTests: XCTestCase {
    func testEachCallNeedsItsRoleAndAnythingUnknownNeedsAdmin() {
        let table: [(HTTPRequest.Method, String, String)] = [
            (.get, "/v1/status", "viewer"), (.get, "/v1/services/web", "viewer"), (.get, "/v1/services/web/history?limit=3", "viewer"),
            (.get, "/v1/events?since=0", "viewer"), (.get, "/v1/reclaim", "viewer"),
            (.post, "/v1/services/web/deploy", "operator"), (.post, "/v1/services/web/restart", "operator"),
            (.post, "/v1/reload", "admin"), (.post, "/v1/reclaim", "admin"), (.post, "/v1/chaos/faults", "admin"), (.get, "/v1/audit", "admin"),
            (.delete, "/v1/services/web", "admin"), (.get, "/v1/services/web/logs/extra", "admin"), (.get, "/v2/status", "admin"),
            (.post, "/v1/status", "admin"), (.get, "/v1/services/web/deploy", "admin"),
        ]
        for (method, path, role) in table {
            XCTAssertEqual(ControlPermission.requiredRole(method: method, path: path).rawValue, role, "\(method) \(path)")
        }
        XCTAssertEqual(ControlPermission.allowedMethods(path: "/v1/status"), [.get])
        XCTAssertEqual(ControlPermission.allowedMethods(path: "/v1/nothing"), [])
        XCTAssertTrue(ControlPermission.changesSomething(.post))
        XCTAssertTrue(ControlPermission.changesSomething(.delete))
        XCTAssertFalse(ControlPermission.changesSomething(.get))
    }
}
