import Foundation

/// `promtool check metrics`, the linter SPEC section 6 holds `/metrics` to.
public enum Promtool {
    /// Runs `promtool check metrics` on `text` (stdin): nil when it exits 0 and says nothing,
    /// otherwise what it said, with the exposition, for an assertion message.
    ///
    /// ```swift
    /// XCTAssertNil(try Promtool.remarks(on: exposition.text))
    /// ```
    ///
    /// - Throws: a ``TestKitError`` saying how to install promtool when it is missing.
    public static func remarks(on text: String) throws -> String? {
        let directory = try TemporaryDirectory(prefix: "vp")
        defer { directory.remove() }
        let path = directory.appending("metrics.txt")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") else {
            throw TestKitError("promtool not found at /usr/bin/promtool; install Debian's prometheus package (make test-deps)")
        }
        let promtool = try ProcessHandle(executable: "/bin/sh", arguments: ["-c", "exec /usr/bin/promtool check metrics < '\(path)'"])
        let code = promtool.waitForExit(timeout: .seconds(60))
        let said = promtool.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard code != 0 || !said.isEmpty else { return nil }
        return "promtool check metrics exited \(code.map(String.init) ?? "late"):\n\(said)\n--- exposition ---\n\(text)"
    }
}
