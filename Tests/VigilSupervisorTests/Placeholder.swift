import XCTest

final class VigilSupervisorTestsPlaceholder: XCTestCase {
    func testBuilds() { XCTAssertTrue(true) }
}
