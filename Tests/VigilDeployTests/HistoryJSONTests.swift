import Foundation
import VigilSupervisor
import XCTest

@testable import VigilDeploy

/// `vigil history --json` keeps every key: absent values are `null` (SPEC sections 1 and 4).
final class HistoryJSONTests: XCTestCase {
    private func json<T: Encodable>(_ value: T) throws -> [String: Any] {
        let data = try VigilJSON.encoder().encode(value)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testNothingActiveIsWrittenAsNull() throws {
        let report = try json(HistoryReport(service: "web", active: nil, rollouts: [], revisions: []))
        XCTAssertTrue(report.keys.contains("active"), "\(report)")
        XCTAssertTrue(report["active"] is NSNull, "\(report)")
    }

    func testAnActiveRevisionWithoutVersionKeepsTheVersionKey() throws {
        let report = try json(HistoryReport(service: "web", active: .init(color: "blue", revision: "r-0000abcd", version: nil), rollouts: [], revisions: []))
        let active = try XCTUnwrap(report["active"] as? [String: Any])
        XCTAssertEqual(active["revision"] as? String, "r-0000abcd")
        XCTAssertTrue(active["version"] is NSNull, "\(active)")
    }
}
