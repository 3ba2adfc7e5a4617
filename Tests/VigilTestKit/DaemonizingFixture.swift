import Foundation
import XCTest

/// A service whose shell first leaves a `sleep 300` behind in a session of its own (as a
/// daemonising grandchild would: out of the instance's process group) and writes its pid to
/// `pidFile`, then execs `vigil-fixture` on `port` with `fixtureArgs`.
///
/// `setsid` in a child that is not a group leader calls setsid() itself, so `$!` is the sleep.
public func daemonizingFixtureManifest(name: String, port: UInt16, pidFile: String, fixtureArgs: [String] = [], extraYAML: String = "") throws -> String {
    let fixture = ([try BuiltProducts.fixture, "--port", String(port)] + fixtureArgs).joined(separator: " ")
    var yaml = """
        apiVersion: vigil/v1
        kind: Service
        name: \(name)
        command: ["/bin/sh", "-c", \(yamlQuoted("setsid sleep 300 & echo $! > \(pidFile); exec \(fixture)"))]
        port: \(port)

        """
    if !extraYAML.isEmpty { yaml += extraYAML.hasSuffix("\n") ? extraYAML : extraYAML + "\n" }
    return yaml
}

/// Skips the test unless Vigil can give instances memory cgroups here: root, and a v2 hierarchy
/// or a v1 `memory` one mounted.
public func requireMemoryCgroups() throws {
    let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    guard geteuid() == 0, mounts.contains(" - cgroup2 ") || mounts.contains(",memory\n") else {
        throw XCTSkip("no memory cgroup controller to test against on this host (not root, or none mounted)")
    }
}
