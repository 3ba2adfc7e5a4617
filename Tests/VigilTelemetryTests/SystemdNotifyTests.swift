import Foundation
import VigilTelemetry
import VigilTestKit
import XCTest

/// A real `vigil up` started as systemd would start a `Type=notify` unit with `WatchdogSec=`:
/// `NOTIFY_SOCKET` names a datagram socket this test owns, `WATCHDOG_USEC` asks for pings.
/// `WATCHDOG_PID` stays unset: libsystemd then accepts the watchdog for whichever process reads
/// it, and the test cannot know Vigil's pid before spawning it.
///
/// Only lower bounds of time are asserted: a loaded machine (or a paused VM clock) may make
/// every step slower, never faster.
final class SystemdNotifyTests: XCTestCase {
    /// 2 s: pings every second, each after a liveness check allowed half a second.
    private let watchdogMicroseconds = 2_000_000
    private var pingInterval: Duration { .microseconds(watchdogMicroseconds / 2) }

    func testNotifySequenceFromReadyThroughReloadToStoppingAndNoPingsWhileHung() throws {
        let directory = try TemporaryDirectory(prefix: "vn")
        defer { directory.remove() }
        let notify = try NotifySocket(path: directory.appending("notify.sock"))
        let manifests = directory.appending("manifests")
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        try fixtureManifest(name: "web", port: try freeTCPPort()).write(toFile: manifests + "/web.yaml", atomically: true, encoding: .utf8)
        let config = directory.appending("vigil.yaml")
        try supervisorConfig(stateDir: directory.appending("state"), manifestsDir: manifests).write(toFile: config, atomically: true, encoding: .utf8)

        let vigil = try ProcessHandle(
            executable: try BuiltProducts.vigil, arguments: ["up", "--config", config, "--log-format", "json"],
            environment: [
                "NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": String(watchdogMicroseconds),
                DebugHangSignal.environmentVariable: "SIGUSR2",
            ]
        )
        defer { stop(vigil) }

        // READY=1 comes with the first summary, then the summary follows the service to ready.
        XCTAssertTrue(notify.waitFor { $0.contains("READY=1") }, "no READY=1: \(notify.assignments)\n\(vigil.output)")
        let first = try XCTUnwrap(notify.datagrams.first)
        XCTAssertEqual(first.first, "READY=1", "READY=1 is the first thing Vigil tells systemd: \(notify.datagrams)")
        XCTAssertTrue(first.contains { $0.hasPrefix("STATUS=1 service: ") }, "READY=1 carries the summary: \(first)")
        XCTAssertTrue(notify.waitFor { $0.contains("STATUS=1 service: 1 ready") }, "\(notify.assignments)")

        // Pings while the loops answer; none before READY=1.
        XCTAssertTrue(notify.waitFor { $0.filter { $0 == "WATCHDOG=1" }.count >= 3 }, "\(notify.assignments)\n\(vigil.output)")
        let assignments = notify.assignments
        XCTAssertLessThan(try XCTUnwrap(assignments.firstIndex(of: "READY=1")), try XCTUnwrap(assignments.firstIndex(of: "WATCHDOG=1")))

        // Hang the supervisor actor: pings stop (after any already on their way) ...
        vigil.terminate(signal: SIGUSR2)
        XCTAssertTrue(vigil.waitForOutput("supervisor actor blocked on purpose"), vigil.output)
        // The watchdog logs the missed check when it decides not to ping; any ping sent before
        // that is already in the socket. (Polled, not a fixed sleep: a slow machine may take
        // longer than a few intervals. If the loops were already not answering before the hang,
        // no new line comes and pings had stopped anyway.)
        _ = poll(timeout: .seconds(30)) {
            vigil.output.components(separatedBy: "supervisor actor blocked on purpose").last?.contains("did not answer within") == true
        }
        let pingsWhenHung = notify.watchdogPings
        Thread.sleep(forTimeInterval: (pingInterval * 4).seconds)
        XCTAssertEqual(notify.watchdogPings, pingsWhenHung, "a hung supervisor must not ping the watchdog")
        XCTAssertTrue(vigil.isRunning)
        XCTAssertTrue(vigil.output.contains("did not answer within"), "the missed ping is logged: \(vigil.output)")

        // ... and resume once it is released.
        vigil.terminate(signal: SIGUSR2)
        XCTAssertTrue(notify.waitFor { $0.filter { $0 == "WATCHDOG=1" }.count > pingsWhenHung }, "pings resume after the hang: \(vigil.output)")

        // SIGHUP: RELOADING=1 stamped with CLOCK_MONOTONIC, then READY=1 again.
        let beforeReload = NotifyMessage.monotonicMicroseconds()
        let seenBeforeReload = notify.assignments.count
        vigil.terminate(signal: SIGHUP)
        XCTAssertTrue(notify.waitFor { Array($0.dropFirst(seenBeforeReload)).contains("READY=1") }, "\(notify.assignments)")
        let reload = Array(notify.assignments.dropFirst(seenBeforeReload))
        let reloading = try XCTUnwrap(reload.firstIndex(of: "RELOADING=1"), "\(reload)")
        XCTAssertLessThan(reloading, try XCTUnwrap(reload.firstIndex(of: "READY=1")), "\(reload)")
        let stamp = try XCTUnwrap(reload[reloading + 1].split(separator: "=").last.flatMap { UInt64($0) }, "\(reload)")
        XCTAssertTrue(reload[reloading + 1].hasPrefix("MONOTONIC_USEC="))
        XCTAssertGreaterThanOrEqual(stamp, beforeReload, "MONOTONIC_USEC is taken on CLOCK_MONOTONIC when the reload starts")
        XCTAssertLessThanOrEqual(stamp, NotifyMessage.monotonicMicroseconds())

        // `vigil reload` through the control socket is framed the same way as SIGHUP.
        let seenBeforeCLIReload = notify.assignments.count
        let reloadCLI = try ProcessHandle(executable: try BuiltProducts.vigil, arguments: ["reload", "--config", config])
        XCTAssertEqual(reloadCLI.waitForExit(timeout: .seconds(60)), 0, reloadCLI.output)
        XCTAssertTrue(notify.waitFor { Array($0.dropFirst(seenBeforeCLIReload)).contains("READY=1") }, "\(notify.assignments)")
        let cliReload = Array(notify.assignments.dropFirst(seenBeforeCLIReload))
        XCTAssertLessThan(try XCTUnwrap(cliReload.firstIndex(of: "RELOADING=1"), "\(cliReload)"), try XCTUnwrap(cliReload.firstIndex(of: "READY=1")))

        // SIGTERM: STOPPING=1, then a clean exit.
        vigil.terminate(signal: SIGTERM)
        XCTAssertEqual(vigil.waitForExit(timeout: .seconds(60)), 0, vigil.output)
        XCTAssertEqual(notify.assignments.filter { $0 == "STOPPING=1" }.count, 1, "\(notify.assignments)")
        let stopping = try XCTUnwrap(notify.assignments.lastIndex(of: "STOPPING=1"))
        XCTAssertGreaterThan(stopping, try XCTUnwrap(notify.assignments.lastIndex(of: "READY=1")))

        // --log-format json: every line of Vigil's own log is a JSON object, events with their fields.
        let lines = vigil.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        XCTAssertEqual(objects.count, lines.count, "every JSON log line parses: \(vigil.output)")
        XCTAssertTrue(objects.contains { $0["event_kind"] == "spawned" && $0["service"] == "web" && $0["level"] == "info" }, vigil.output)
        XCTAssertTrue(objects.contains { $0["logger"] == "vigil.debug" && $0["level"] == "warning" }, vigil.output)
    }

    /// A rejected SIGHUP reload leaves the unit READY with a status line that says so, until a
    /// good reload clears it: what `systemctl status` shows an operator.
    func testARejectedReloadIsInTheStatusLineUntilAGoodOne() throws {
        let directory = try TemporaryDirectory(prefix: "vn")
        defer { directory.remove() }
        let notify = try NotifySocket(path: directory.appending("notify.sock"))
        let manifests = directory.appending("manifests")
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        let port = try freeTCPPort()
        let manifest = manifests + "/web.yaml"
        try fixtureManifest(name: "web", port: port).write(toFile: manifest, atomically: true, encoding: .utf8)
        let config = directory.appending("vigil.yaml")
        try supervisorConfig(stateDir: directory.appending("state"), manifestsDir: manifests).write(toFile: config, atomically: true, encoding: .utf8)
        let vigil = try ProcessHandle(
            executable: try BuiltProducts.vigil, arguments: ["up", "--config", config, "--log-format", "text"],
            environment: ["NOTIFY_SOCKET": notify.path]
        )
        defer { stop(vigil) }
        XCTAssertTrue(notify.waitFor { $0.contains("STATUS=1 service: 1 ready") }, "\(notify.assignments)\n\(vigil.output)")

        try fixtureManifest(name: "web", port: port, extraYAML: "restart: {polcy: always}").write(toFile: manifest, atomically: true, encoding: .utf8)
        let seenBeforeBadReload = notify.assignments.count
        vigil.terminate(signal: SIGHUP)
        XCTAssertTrue(notify.waitFor { $0.dropFirst(seenBeforeBadReload).contains("READY=1") }, "\(notify.assignments)")
        XCTAssertTrue(notify.waitFor { assignments in
            assignments.dropFirst(seenBeforeBadReload).contains { $0.hasPrefix("STATUS=") && $0.contains("last reload rejected (1 error(s)), running configuration kept") }
        }, "the status line names the rejected reload: \(notify.assignments.dropFirst(seenBeforeBadReload))")
        XCTAssertTrue(notify.assignments.last { $0.hasPrefix("STATUS=") }?.contains("1 ready") ?? false, "the running service stays ready: \(notify.assignments)")

        try fixtureManifest(name: "web", port: port).write(toFile: manifest, atomically: true, encoding: .utf8)
        let seenBeforeGoodReload = notify.assignments.count
        vigil.terminate(signal: SIGHUP)
        XCTAssertTrue(notify.waitFor { assignments in
            let since = assignments.dropFirst(seenBeforeGoodReload)
            return since.contains("READY=1") && since.contains { $0.hasPrefix("STATUS=") && !$0.contains("rejected") }
        }, "a good reload clears the note: \(notify.assignments.dropFirst(seenBeforeGoodReload))")
    }

    func testWithoutNotifySocketVigilSendsNothingAndRunsAsBefore() throws {
        let directory = try TemporaryDirectory(prefix: "vn")
        defer { directory.remove() }
        let manifests = directory.appending("manifests")
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        let config = directory.appending("vigil.yaml")
        try supervisorConfig(stateDir: directory.appending("state"), manifestsDir: manifests).write(toFile: config, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        environment["WATCHDOG_USEC"] = String(watchdogMicroseconds)
        let vigil = try ProcessHandle(
            executable: try BuiltProducts.vigil, arguments: ["up", "--config", config, "--log-format", "text"],
            environment: environment, inheritEnvironment: false
        )
        defer { stop(vigil) }
        XCTAssertTrue(vigil.waitForOutput("notice vigil.event: vigil supervisor_started"), "text log lines: \(vigil.output)")
        XCTAssertTrue(vigil.output.contains("supervising 0 service(s)"), vigil.output)
        XCTAssertFalse(vigil.output.contains("watchdog"), "no watchdog without a notify socket: \(vigil.output)")
        vigil.terminate(signal: SIGTERM)
        XCTAssertEqual(vigil.waitForExit(timeout: .seconds(60)), 0, vigil.output)
    }

    /// SIGTERM so Vigil stops its fixtures; SIGKILL to the group only if that fails (or it hangs).
    private func stop(_ vigil: ProcessHandle) {
        guard vigil.isRunning else { return }
        vigil.terminate(signal: SIGTERM)
        if vigil.waitForExit(timeout: .seconds(30)) == nil { vigil.terminate(signal: SIGKILL, group: true) }
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
