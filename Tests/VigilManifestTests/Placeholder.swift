import XCTest

final class VigilManifestTestsPlaceholder: XCTestCase {
    func testBuilds() { XCTAssertTrue(true) }
}
