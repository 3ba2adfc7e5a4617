import Foundation
import VigilTestKit
import XCTest

/// A manifest's `logs:` settings reach the capture of a real `vigil up`, and `vigil logs -f`
/// follows the file across its rotations.
final class LogSettingsIntegrationTests: XCTestCase {
    /// A running `vigil up` with one service that runs `script` under /bin/sh.
    private func startVigil(service name: String, script: String, logs: String) throws -> VigilProcess {
        let vigil = try VigilProcess()
        try vigil.writeManifest(name, """
            apiVersion: vigil/v1
            kind: Service
            name: \(name)
            command: [/bin/sh, -c, \(yamlQuoted(script))]
            logs: \(logs)

            """)
        try vigil.start()
        return vigil
    }

    func testARateLimitedServiceGetsTheSuppressionMarkerWithTheRightCount() throws {
        let vigil = try startVigil(
            service: "chatty", script: "i=0; while [ $i -lt 1000 ]; do echo line-$i; i=$((i+1)); done; exec sleep 600",
            logs: "{compress: false, rateLimit: {lines: 100, per: 2s}}"
        )
        let path = vigil.stateDir + "/logs/chatty.log"
        var admitted = 0
        var suppressed = 0
        // The burst may straddle windows on a loaded machine: each window's marker counts its own.
        let accounted = poll(timeout: .seconds(60), interval: .milliseconds(200)) {
            let lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
            admitted = lines.filter { $0.hasPrefix("line-") }.count
            suppressed = lines.compactMap(Self.suppressedCount).reduce(0, +)
            return admitted + suppressed == 1000
        }
        XCTAssertTrue(accounted, "every line is either in the log or counted by a marker: \(admitted) written, \(suppressed) suppressed")
        XCTAssertGreaterThanOrEqual(admitted, 100)
        XCTAssertGreaterThan(suppressed, 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix((0..<100).map { "line-\($0)\n" }.joined()), "the first window keeps its first 100 lines")
        XCTAssertTrue(text.contains("lines suppressed (logs.rateLimit: 100 lines per 2s)\n"), text.suffix(300).description)
    }

    func testVigilLogsFollowsTheLogAcrossRotationsWithoutAGap() throws {
        // About 150 numbered lines a second, 4 KiB files: a rotation every 2-3 s.
        let vigil = try startVigil(
            service: "ticker", script: "i=0; while [ $i -lt 100000 ]; do echo line-$i; i=$((i+1)); sleep 0.005; done",
            logs: "{maxSize: 4Ki, keep: 3, compress: true}"
        )
        let logsDir = vigil.stateDir + "/logs"
        XCTAssertTrue(poll { FileManager.default.fileExists(atPath: logsDir + "/ticker.log") })
        let follower = try ProcessHandle(executable: try BuiltProducts.vigil, arguments: ["logs", "ticker", "-f", "-n", "0", "--config", vigil.configPath])
        // 1300 lines are about 11 KiB: the follower has crossed at least two rotations.
        var numbers: [Int] = []
        let followed = poll(timeout: .seconds(90), interval: .milliseconds(200)) {
            numbers = follower.output.split(separator: "\n").compactMap { $0.hasPrefix("line-") ? Int($0.dropFirst(5)) : nil }
            return numbers.count >= 1300
        }
        follower.terminate()
        XCTAssertTrue(followed, "the follower printed \(numbers.count) lines: \(follower.output.suffix(300))")
        let first = try XCTUnwrap(numbers.first)
        XCTAssertEqual(numbers, Array(first..<(first + numbers.count)), "every line once, in order, across the rotations")
        XCTAssertTrue(poll { FileManager.default.fileExists(atPath: logsDir + "/ticker.log.2.gz") }, "the log rotated at 4Ki, compressed")
    }

    /// N from `vigil: N lines suppressed (...)`.
    private static func suppressedCount(_ line: Substring) -> Int? {
        guard line.hasPrefix("vigil: "), line.contains(" lines suppressed ") else { return nil }
        return Int(line.dropFirst(7).prefix { $0.isNumber })
    }
}
