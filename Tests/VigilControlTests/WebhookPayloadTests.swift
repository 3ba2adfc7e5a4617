@testable import VigilControl
import VigilDeploy
import XCTest

/// Webhook signatures and payloads, without a server.
final class WebhookPayloadTests: XCTestCase {
    func testHMACSHA256MatchesRFC4231() {
        XCTAssertEqual(
            HMACSHA256.hex(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        )
        // A key longer than a block is hashed first (RFC 4231 test case 6).
        XCTAssertEqual(
            HMACSHA256.hex(key: [UInt8](repeating: 0xaa, count: 131), message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        )
    }

    private func parse(_ event: String?, _ json: String, service: String? = nil, allowed: [String] = ["api"]) throws -> WebhookRequest {
        try WebhookPayload.parse(event: event, body: Array(json.utf8), service: service, webhook: "ci", allowed: allowed)
    }

    func testGitHubEventsAndPlainPayloadsBecomeDeploysOfAnAllowedService() throws {
        XCTAssertEqual(try parse("release", #"{"action": "published", "release": {"tag_name": "v1.4.0"}}"#), .deploy(service: "api", version: "v1.4.0", env: []))
        XCTAssertEqual(try parse("push", #"{"ref": "refs/tags/v2"}"#), .deploy(service: "api", version: "v2", env: []))
        XCTAssertEqual(
            try parse("workflow_run", #"{"action": "completed", "workflow_run": {"conclusion": "success", "head_sha": "0123456789abcdef0123"}}"#),
            .deploy(service: "api", version: "0123456789ab", env: [])
        )
        XCTAssertEqual(try parse(nil, #"{"service": "api", "version": "v3", "env": ["LOG=debug"]}"#), .deploy(service: "api", version: "v3", env: ["LOG=debug"]))
        XCTAssertEqual(try parse("push", #"{"ref": "refs/tags/v2"}"#, service: "web", allowed: ["api", "web"]), .deploy(service: "web", version: "v2", env: []))

        guard case .ignored = try parse("push", #"{"ref": "refs/heads/main"}"#) else { return XCTFail("a branch push deployed") }
        guard case .ignored = try parse("workflow_run", #"{"action": "completed", "workflow_run": {"conclusion": "failure", "head_sha": "ab"}}"#) else { return XCTFail("a failed run deployed") }
        guard case .ignored = try parse("ping", "{}") else { return XCTFail("a ping deployed") }
        guard case .ignored = try parse("release", #"{"action": "deleted", "release": {"tag_name": "v1"}}"#) else { return XCTFail("a deleted release deployed") }
    }

    func testAServiceTheWebhookDoesNotListIsForbiddenAndAmbiguityIsABadRequest() {
        XCTAssertThrowsError(try parse(nil, #"{"service": "db", "version": "v3"}"#)) { XCTAssertEqual(($0 as? ControlAPIError)?.status, .forbidden) }
        XCTAssertThrowsError(try parse("push", #"{"ref": "refs/tags/v2"}"#, service: "db")) { XCTAssertEqual(($0 as? ControlAPIError)?.status, .forbidden) }
        XCTAssertThrowsError(try parse("push", #"{"ref": "refs/tags/v2"}"#, allowed: ["api", "web"])) { XCTAssertEqual(($0 as? ControlAPIError)?.status, .badRequest) }
        XCTAssertThrowsError(try parse(nil, "[1]")) { XCTAssertEqual(($0 as? ControlAPIError)?.status, .badRequest) }
    }
}
