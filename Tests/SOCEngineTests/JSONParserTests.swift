import Foundation
@testable import SOCEngine
import XCTest

final class JSONParserTests: XCTestCase {
    func testParsesWhatJSONDecoderParses() throws {
        let documents = [
            #"{"a":1,"b":[true,false,null],"c":{"d":"e\"f\\g\/h\n\u00e9\ud83d\ude00"},"n":-12.5e3,"z":0}"#,
            "  [ ]  ", "{}", #""plain""#, "-0.25", "[1,[2,[3,{}]]]", #"{"k":"ünïcode ✓"}"#,
        ]
        for document in documents {
            let expected = try JSONDecoder().decode(JSONValue.self, from: Data(document.utf8))
            XCTAssertEqual(try JSONParser.parse(Array(document.utf8)), expected, document)
        }
    }

    func testRejectsMalformedJSON() {
        let documents = ["", "{", #"{"a":1,}"#, "[1,]", "01", "1.", "-", #"{"a" 1}"#, "\"tab\there\"", #""\x""#, "tru", "[1] 2",
                         #""\ud800""#, String(repeating: "[", count: 65) + String(repeating: "]", count: 65)]
        for document in documents {
            XCTAssertThrowsError(try JSONParser.parse(Array(document.utf8)), "\(document.prefix(40)) should be rejected")
        }
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xFF, 0x22]), "invalid UTF-8 is rejected")
    }
}
