import Foundation
import VigilTestKit

/// One live `vigil-fixture` process of a test, as `/proc` shows it.
struct FixtureProcess: Equatable, CustomStringConvertible {
    var pid: pid_t
    var color: String?
    /// As the fixture reports it: env `VERSION`, or ``firstVersion`` when that is empty.
    var version: String?
    var port: String?

    var description: String { "pid \(pid) \(color ?? "?") \(version ?? "?") :\(port ?? "?")" }
}

/// Finds the fixture processes a test started through Vigil, wherever they ended up (children
/// of a Vigil, or orphans a killed Vigil left), by the unique `VIGIL_TEST_MARKER` in their
/// environment. Zombies do not count: they no longer run.
///
/// This is how "no duplicate processes" is checked: two live processes of one color, or one
/// of a color Vigil does not report, is a process Vigil lost track of.
enum FixtureCensus {
    static func processes(marker: String) -> [FixtureProcess] {
        let needle = "VIGIL_TEST_MARKER=\(marker)"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var found: [FixtureProcess] = []
        for entry in entries {
            guard let pid = pid_t(entry), let environment = environment(of: pid), environment.contains(needle) else { continue }
            guard isProcessAlive(pid: pid) else { continue }
            let variables = Dictionary(environment.compactMap { line -> (String, String)? in
                guard let equals = line.firstIndex(of: "=") else { return nil }
                return (String(line[..<equals]), String(line[line.index(after: equals)...]))
            }, uniquingKeysWith: { $1 })
            found.append(FixtureProcess(pid: pid, color: variables["COLOR"], version: variables["VERSION"].flatMap { $0.isEmpty ? nil : $0 } ?? firstVersion, port: variables["PORT"]))
        }
        return found.sorted { $0.pid < $1.pid }
    }

    /// SIGKILLs every process of the test still alive (after Vigil was stopped): a test must not
    /// leave fixtures holding ports for the next one.
    @discardableResult
    static func killAll(marker: String) -> [FixtureProcess] {
        let left = processes(marker: marker)
        for process in left { kill(process.pid, SIGKILL) }
        return left
    }

    /// `/proc/PID/environ` as `NAME=value` lines, nil if unreadable (gone, or not ours).
    private static func environment(of pid: pid_t) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}
