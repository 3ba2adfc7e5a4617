import VigilManifest
import XCTest

/// Helpers for asserting errors by their printed `FILE:LINE:COL: error: MESSAGE` form.
extension XCTestCase {
    /// The head every broken-manifest test starts from; lines 1–4.
    static let serviceHead = """
        apiVersion: vigil/v1
        kind: Service
        name: api
        command: [/bin/sh]

        """

    /// Writes `yaml` as one manifest file in a fresh tree and checks it.
    func checkManifest(_ yaml: String, builtins: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> (path: String, report: CheckReport, tree: TempTree) {
        let tree = try TempTree()
        let path = try tree.write("manifests/service.yaml", yaml)
        return (path, ManifestLoader.check(paths: [path], builtins: builtins), tree)
    }

    /// Asserts that exactly one error is at `position` (`LINE:COL` in `path`) and that its
    /// message contains `fragment`.
    func assertError(_ errors: [ManifestError], at position: String, in path: String, contains fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        let printed = errors.map(\.description)
        let prefix = "\(path):\(position): error: "
        let matches = printed.filter { $0.hasPrefix(prefix) && $0.contains(fragment) }
        XCTAssertEqual(matches.count, 1, "expected one error at \(position) containing \"\(fragment)\"; got:\n\(printed.joined(separator: "\n"))", file: file, line: line)
    }
}
