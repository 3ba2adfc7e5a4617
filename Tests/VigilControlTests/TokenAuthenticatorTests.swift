@testable import VigilControl
import VigilDeploy
import VigilManifest
import XCTest

/// Bearer tokens against `control.tokens`, without a server.
final class TokenAuthenticatorTests: XCTestCase {
    /// Two tokens, neither of them `s3cret`.
    private let authenticator = TokenAuthenticator(tokens: [
        TokenConfig(name: "ci", sha256: "dbb8e3a2d7bb4b8a3e86e2d9f72e0a5d83b1c3e6f2bb3c4b5d8bda7e1dd2a4d0", role: .admin),
        TokenConfig(name: "deployer", sha256: "4f5c6b2bd1ea0b6b8be0e57fbe1f5a1e5d3ad0e4a0c1ee62a34eb8d2a4c2e3e4", role: .operator),
    ])

    func testOnlyATokenWhoseHashIsConfiguredIsACaller() throws {
        let hash = SHA256.hex(Array("s3cret".utf8))
        let known = TokenAuthenticator(tokens: [TokenConfig(name: "ci", sha256: hash, role: .operator)])
        let caller = try known.authenticate(authorization: "Bearer s3cret").get()
        XCTAssertEqual(caller.token, "ci")
        XCTAssertEqual(caller.role, .operator)
        for header in [nil, "", "Bearer", "Bearer s3cre", "Bearer s3crett", "bearer s3cret", "Basic czNjcmV0", "Bearer  s3cret"] {
            guard case .failure(let error) = known.authenticate(authorization: header) else { return XCTFail("\(header ?? "nil") was accepted") }
            XCTAssertEqual(error.status, .unauthorized)
            XCTAssertEqual(error.authenticate, "Bearer realm=\"vigil\"")
        }
        guard case .failure = authenticator.authenticate(authorization: "Bearer s3cret") else { return XCTFail("a hash not configured was accepted") }
    }

    func testEqualityLooksAtEveryByte() {
        XCTAssertTrue(TokenAuthenticator.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        XCTAssertFalse(TokenAuthenticator.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        XCTAssertFalse(TokenAuthenticator.constantTimeEqual(Array("abc".utf8), Array("ab".utf8)))
        XCTAssertFalse(TokenAuthenticator.constantTimeEqual(Array("xbc".utf8), Array("abc".utf8)))
    }
}
