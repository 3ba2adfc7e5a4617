import VigilManifest
import XCTest

final class VariableExpansionTests: XCTestCase {
    func testExpandsNamesInsideOneArgument() throws {
        let vars = ["PORT": "18080", "COLOR": "blue", "HOME_DIR": "/srv/app"]
        XCTAssertEqual(try VariableExpansion.expand("127.0.0.1:${PORT}", variables: vars), "127.0.0.1:18080")
        XCTAssertEqual(try VariableExpansion.expand("${HOME_DIR}/log-${COLOR}.txt", variables: vars), "/srv/app/log-blue.txt")
        XCTAssertEqual(try VariableExpansion.expand("no variables", variables: vars), "no variables")
        XCTAssertEqual(try VariableExpansion.expand("", variables: vars), "")
    }

    func testDollarEscapesAndLoneDollars() throws {
        XCTAssertEqual(try VariableExpansion.expand("$${PORT}", variables: ["PORT": "1"]), "${PORT}")
        XCTAssertEqual(try VariableExpansion.expand("cost: 5$ or $$5", variables: [:]), "cost: 5$ or $5")
        XCTAssertEqual(try VariableExpansion.expand("$HOME", variables: [:]), "$HOME")
        XCTAssertEqual(try VariableExpansion.expand("end$", variables: [:]), "end$")
    }

    func testUnknownAndMalformedReferencesThrowNamingTheProblem() {
        XCTAssertThrowsError(try VariableExpansion.expand("${NOPE}", variables: ["PORT": "1"])) { error in
            XCTAssertEqual(error as? VariableExpansion.Error, .unknownVariable("NOPE"))
            XCTAssertTrue("\(error)".contains("${NOPE}"))
        }
        XCTAssertThrowsError(try VariableExpansion.expand("${PORT", variables: ["PORT": "1"])) { error in
            XCTAssertEqual(error as? VariableExpansion.Error, .unterminated)
        }
        XCTAssertThrowsError(try VariableExpansion.expand("${1X}", variables: [:])) { error in
            XCTAssertEqual(error as? VariableExpansion.Error, .invalidName("1X"))
        }
        XCTAssertThrowsError(try VariableExpansion.expand("${}", variables: [:]))
    }

    func testReferencesInOrderWithoutDuplicates() {
        XCTAssertEqual(VariableExpansion.references(in: "${A}:${B}/${A}$${C}"), ["A", "B"])
        XCTAssertEqual(VariableExpansion.references(in: "plain"), [])
        XCTAssertEqual(VariableExpansion.builtinNames, ["PORT", "COLOR", "REVISION", "VERSION", "RELEASE_DIR", "SERVICE", "STATE_DIR", "VIGIL_BIN"])
    }
}
