import Foundation
import VigilSupervisor
import XCTest

final class SecretRedactionTests: XCTestCase {
    func testNamesHoldingTokensSecretsPasswordsKeysOrCredentialsAreSecretInAnyCase() {
        for name in ["API_TOKEN", "db_password", "AWS_SECRET_ACCESS_KEY", "SSH_KEY", "GoogleCredentials", "githubToken"] {
            XCTAssertTrue(SecretRedaction.isSecret(name), name)
        }
        for name in ["ERROR_RATE", "LOG_LEVEL", "PORT", "LATENCY"] {
            XCTAssertFalse(SecretRedaction.isSecret(name), name)
        }
        XCTAssertEqual(SecretRedaction.redact(["API_TOKEN": "abc", "LOG": "debug"]), ["API_TOKEN": "***", "LOG": "debug"])
        XCTAssertEqual(SecretRedaction.redactAssignment("DB_PASSWORD=a=b"), "DB_PASSWORD=***")
        XCTAssertEqual(SecretRedaction.redactAssignment("LOG=debug"), "LOG=debug")
    }

    func testARequestBodyKeepsItsShapeWithSecretsStarred() {
        let body = #"{"version": "v2", "env": ["API_TOKEN=hunter2", "LOG=debug"], "password": "x", "nested": {"secretKey": 3}}"#
        XCTAssertEqual(
            SecretRedaction.redactJSON(Data(body.utf8)),
            #"{"env":["API_TOKEN=***","LOG=debug"],"nested":{"secretKey":"***"},"password":"***","version":"v2"}"#
        )
        XCTAssertEqual(SecretRedaction.redactJSON(Data("not json TOKEN=x".utf8)), "<16 bytes, not JSON>")
        XCTAssertNil(SecretRedaction.redactJSON(Data()))
    }
}
