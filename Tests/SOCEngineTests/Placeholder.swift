import XCTest

final class SOCEngineTestsPlaceholder: XCTestCase {
    func testBuilds() { XCTAssertTrue(true) }
}
