import VigilTestKit
import XCTest

/// Fails the test unless `promtool check metrics` accepts `text` without a remark.
func assertPromtoolClean(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
    if let remarks = try Promtool.remarks(on: text) { XCTFail(remarks, file: file, line: line) }
}
