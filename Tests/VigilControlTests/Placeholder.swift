import XCTest

final class VigilControlTestsPlaceholder: XCTestCase {
    func testBuilds() { XCTAssertTrue(true) }
}
