import Foundation
import VigilTestKit
import XCTest

/// `vigil check` through the real binary: every kind of broken manifest is reported as
/// `FILE:LINE:COL: error: MESSAGE` with a fix, all of them in one run, and exit code 1.
final class CheckCommandTests: XCTestCase {
    struct Broken {
        let file: String
        let yaml: String
        /// `LINE:COL` the error must point at; empty for a valid file that only completes another case.
        let at: String
        let says: String
    }

    func testADozenKindsOfBrokenManifestsAreReportedWithLocationsInOneRun() throws {
        let dir = try TemporaryDirectory(prefix: "vc")
        defer { dir.remove() }
        let fixture = try BuiltProducts.fixture
        let notExecutable = dir.appending("not-executable")
        XCTAssertTrue(FileManager.default.createFile(atPath: notExecutable, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o644]))
        func service(_ name: String, _ rest: String, command: String? = nil) -> String {
            "apiVersion: vigil/v1\nkind: Service\nname: \(name)\ncommand: [\(command ?? yamlQuoted(fixture))]\n\(rest)"
        }
        let cases: [Broken] = [
            Broken(file: "a01", yaml: service("a01", "probes:\n  livenes: {tcp: {port: 9001}}\n"), at: "6:3", says: "did you mean 'liveness'"),
            Broken(file: "a02", yaml: service("a02", "port: 9002\nprobes:\n  liveness: {http: {path: /health}, period: 5 sec}\n"), at: "7:45", says: "500ms"),
            Broken(file: "a03", yaml: service("a03", "logs: {maxSize: 10MB}\n"), at: "5:17", says: "Mi"),
            Broken(file: "a04", yaml: service("a04", "restart: {backoff: {jitter: 150%}}\n"), at: "5:29", says: "jitter"),
            Broken(file: "a05", yaml: service("a05", "port: 70000\n"), at: "5:7", says: "65535"),
            Broken(file: "a06", yaml: service("Web_1", ""), at: "3:7", says: "lowercase letters"),
            Broken(file: "a07", yaml: service("a07", "port: 9007\nrestart: {policy: sometimes}\n"), at: "6:19", says: "on-failure"),
            Broken(file: "a08", yaml: service("a08", "", command: "no-such-command-vigil"), at: "4:11", says: "not found in PATH"),
            Broken(file: "a09", yaml: service("a09", "", command: yamlQuoted(notExecutable)), at: "4:11", says: "not executable"),
            Broken(file: "a10", yaml: "apiVersion: vigil/v1\nkind: Service\nname: a10\ncommand: [\"x\"\n", at: "5:1", says: ""),
            Broken(file: "a11", yaml: "apiVersion: vigil/v2\nkind: Service\nname: a11\ncommand: [\(yamlQuoted(fixture))]\n", at: "1:13", says: "vigil/v1"),
            Broken(file: "a12", yaml: service("a12", "port: 9012\nprobes:\n  readiness: {http: {path: /ready}, tcp: {port: 9012}}\n"), at: "7:37", says: "exactly one"),
            Broken(file: "a13", yaml: "apiVersion: vigil/v1\nkind: Service\nname: a13\n", at: "1:1", says: "command"),
            Broken(file: "a14", yaml: service("a07", "port: 9014\n"), at: "3:1", says: "a07.yaml"),
            Broken(file: "a15", yaml: service("a15", "port: 9015\n"), at: "", says: ""),
            Broken(file: "a16", yaml: service("a16", "port: 9015\n"), at: "5:7", says: "9015"),
        ]
        for broken in cases {
            try broken.yaml.write(toFile: dir.appending("\(broken.file).yaml"), atomically: true, encoding: .utf8)
        }
        let run = try ProcessHandle(executable: try BuiltProducts.vigil, arguments: ["check", dir.path])
        XCTAssertEqual(run.waitForExit(timeout: .seconds(60)), 1, "invalid manifests exit 1")
        let lines = run.output.split(separator: "\n").map(String.init)
        for broken in cases where !broken.at.isEmpty {
            let prefix = "\(dir.path)/\(broken.file).yaml:\(broken.at): error: "
            let line = lines.first { $0.hasPrefix(prefix) }
            XCTAssertNotNil(line, "expected an error at \(prefix)… in:\n\(run.output)")
            if let line, !broken.says.isEmpty {
                XCTAssertTrue(line.contains(broken.says), "\(line) should mention \(broken.says)")
            }
        }
    }

    func testAValidDirectoryPassesWithASummary() throws {
        let dir = try TemporaryDirectory(prefix: "vc")
        defer { dir.remove() }
        try fixtureManifest(name: "web", port: try freeTCPPort()).write(toFile: dir.appending("web.yaml"), atomically: true, encoding: .utf8)
        let run = try ProcessHandle(executable: try BuiltProducts.vigil, arguments: ["check", dir.path])
        XCTAssertEqual(run.waitForExit(timeout: .seconds(60)), 0, run.output)
        XCTAssertTrue(run.output.contains("1 service(s): web"), run.output)
    }
}
