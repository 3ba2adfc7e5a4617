@testable import SOCEngine
import XCTest

/// `GET /` content negotiation: browsers get the dashboard, API clients keep their JSON.
final class RootRepresentationTests: XCTestCase {
    func testBrowsersGetHTML() {
        for accept in [
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8", // Chromium
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", // Firefox
            "text/html", "TEXT/HTML; charset=utf-8", "application/json;q=0.5, text/html",
        ] {
            XCTAssertEqual(RootRepresentation(accept: accept), .html, accept)
        }
    }

    func testAPIClientsAndTiesGetJSON() {
        for accept in [
            nil, "", "*/*", "application/json", "application/json, text/html", "text/html;q=0.5, application/json",
            "text/html;q=0.8, */*", "text/html;q=0, */*;q=0.1", "text/html;q=bogus", "text/plain", "application/*, text/html;q=0.9",
        ] {
            XCTAssertEqual(RootRepresentation(accept: accept), .json, accept ?? "no Accept header")
        }
    }
}
