import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// `resources.memory` on a real `vigil up` with `vigil-fixture --grow-memory`: a cgroup per
/// instance where the host gives one (this machine: a v1 memory hierarchy), /proc sampling
/// otherwise.
final class MemoryLimitIntegrationTests: XCTestCase {
    private func growing(_ name: String, port: UInt16, limits: String, extraArgs: [String] = []) throws -> String {
        try fixtureManifest(name: name, port: port, extraArgs: ["--grow-memory", "20Mi"] + extraArgs, extraYAML: """
            resources: {memory: {\(limits)}}
            restart: {backoff: {initial: 100ms}}
            """)
    }

    func testOverHighTheInstanceIsReplacedWithReasonMemoryInsideItsOwnCgroup() throws {
        try requireMemoryCgroups()
        let vigil = try VigilProcess()
        try vigil.writeManifest("leaky", growing("leaky", port: try freeTCPPort(), limits: "high: 64Mi"))
        try vigil.start()
        let first = try XCTUnwrap(vigil.waitFor("leaky") { $0.state == "ready" })
        let cgroupLine = try String(contentsOfFile: "/proc/\(first.pid!)/cgroup", encoding: .utf8)
        XCTAssertTrue(cgroupLine.contains("/vigil-") && cgroupLine.contains("leaky.default."), "the instance runs in its own cgroup: \(cgroupLine)")
        XCTAssertEqual(first.memoryHighBytes, 64 << 20)

        let replaced = vigil.waitFor("leaky", timeout: .seconds(60)) { $0.restarts >= 1 && $0.pid != nil && $0.pid != first.pid }
        XCTAssertNotNil(replaced, vigil.output)
        let events = try vigil.events(service: "leaky")
        let memory = try XCTUnwrap(events.first { $0.kind == .memory }, "\(events.map(\.message))")
        XCTAssertEqual(memory.reason, "high")
        XCTAssertTrue(memory.message.contains("over high 64Mi"), memory.message)
        XCTAssertTrue(events.contains { $0.kind == .restarted && $0.reason == "memory" }, "\(events.map(\.message))")
        XCTAssertTrue(poll { !isProcessAlive(pid: first.pid!) }, "the leaking instance is gone")

        let report = try vigil.status()
        XCTAssertTrue(report.memoryLimits?.hasPrefix("cgroup v") ?? false, "\(String(describing: report.memoryLimits))")
        let table = try vigil.cli(["status"])
        XCTAssertTrue(table.output.contains("64.0Mi/-"), table.output)
        XCTAssertTrue(table.output.contains("memory limits: cgroup v"), table.output)
    }

    /// Over `max` the kernel kills at once, and Vigil kills the rest of the cgroup: a grandchild
    /// that left the process group with setsid goes too. The restart's reason is `memory`.
    func testOverMaxEverythingTheServiceStartedIsKilledIncludingADaemonizedGrandchild() throws {
        try requireMemoryCgroups()
        let vigil = try VigilProcess()
        let pidFile = vigil.directory.appending("daemon.pid")
        try vigil.writeManifest("hog", daemonizingFixtureManifest(
            name: "hog", port: try freeTCPPort(), pidFile: pidFile, fixtureArgs: ["--grow-memory", "20Mi"],
            extraYAML: "resources: {memory: {max: 64Mi}}\nrestart: {backoff: {initial: 5s}}"
        ))
        try vigil.start()
        let first = try XCTUnwrap(vigil.waitFor("hog") { $0.state == "ready" })
        let daemon = try XCTUnwrap(vigil.waitForPid(inFile: pidFile))
        XCTAssertNotEqual(processGroup(pid: daemon), first.pid, "the grandchild left the instance's process group")

        XCTAssertTrue(poll(timeout: .seconds(60)) { ((try? vigil.events(service: "hog")) ?? []).contains { $0.kind == .restarted && $0.reason == "memory" } }, vigil.output)
        XCTAssertTrue(poll { !isProcessAlive(pid: first.pid!) && !isProcessAlive(pid: daemon) }, "nothing of the killed instance survives")
        let events = try vigil.events(service: "hog")
        XCTAssertTrue(events.contains { $0.kind == .memory && $0.reason == "oom_kill" }, "\(events.map(\.message))")
    }

    func testAServiceWithoutLimitsIsNeverRestartedForMemory() throws {
        let vigil = try VigilProcess()
        try vigil.writeManifest("free", fixtureManifest(name: "free", port: try freeTCPPort(), extraArgs: ["--grow-memory", "20Mi"]))
        try vigil.writeManifest("limited", growing("limited", port: try freeTCPPort(), limits: "high: 48Mi"))
        try vigil.start()
        let free = try XCTUnwrap(vigil.waitFor("free") { $0.state == "ready" })
        // The limited neighbour grows at the same rate: once it was replaced, the free one has
        // been past that size too.
        XCTAssertNotNil(vigil.waitFor("limited", timeout: .seconds(60)) { $0.restarts >= 1 }, vigil.output)
        let now = try XCTUnwrap(vigil.instance("free"))
        XCTAssertEqual(now.pid, free.pid)
        XCTAssertEqual(now.restarts, 0)
        XCTAssertNil(now.memoryHighBytes)
        XCTAssertFalse(try vigil.events(service: "free").contains { $0.kind == .memory })
    }

    /// Without cgroups (`VIGIL_CGROUPS=off`, as for a non-root Vigil) memory is sampled from /proc
    /// every second; limits still act, and status says how.
    func testWithoutCgroupsLimitsAreSampledAndStatusSaysSo() throws {
        let vigil = try VigilProcess()
        try vigil.writeManifest("leaky", growing("leaky", port: try freeTCPPort(), limits: "high: 64Mi, max: 512Mi"))
        try vigil.start(environment: [CgroupSetup.switchVariable: "off"])
        let first = try XCTUnwrap(vigil.waitFor("leaky") { $0.state == "ready" })
        let cgroupLine = try String(contentsOfFile: "/proc/\(first.pid!)/cgroup", encoding: .utf8)
        XCTAssertFalse(cgroupLine.contains("/vigil-"), cgroupLine)
        XCTAssertNotNil(vigil.waitFor("leaky", timeout: .seconds(60)) { $0.restarts >= 1 && $0.pid != first.pid }, vigil.output)
        let events = try vigil.events(service: "leaky")
        XCTAssertTrue(events.contains { $0.kind == .memory && $0.reason == "high" }, "\(events.map(\.message))")
        XCTAssertTrue(events.contains { $0.kind == .restarted && $0.reason == "memory" }, "\(events.map(\.message))")
        XCTAssertEqual(try vigil.status().memoryLimits, "sampled, no cgroup (VIGIL_CGROUPS=off)")
        XCTAssertTrue(try vigil.events(service: "vigil").contains { $0.kind == .supervisorStarted && $0.message.contains("memory limits: sampled, no cgroup") })
    }

    /// Over `reclaim.memory.hostHighWatermark` (1% here: any host is over it) the largest
    /// service with a `high` limit is replaced first, and only one at a time. The watermark comes
    /// with a reload, once "big" is the largest, so the first choice is known.
    func testHostPressureReplacesTheLargestLimitedServiceFirst() throws {
        let vigil = try VigilProcess()
        let bigPort = try freeTCPPort()
        try vigil.writeManifest("big", fixtureManifest(name: "big", port: bigPort, extraYAML: "resources: {memory: {high: 1Gi}}"))
        try vigil.writeManifest("small", fixtureManifest(name: "small", port: try freeTCPPort(), extraYAML: "resources: {memory: {high: 1Gi}}"))
        try vigil.writeManifest("unlimited", fixtureManifest(name: "unlimited", port: try freeTCPPort(), extraArgs: ["--grow-memory", "32Mi"]))
        try vigil.start()
        let big = try XCTUnwrap(vigil.waitFor("big") { $0.state == "ready" })
        let small = try XCTUnwrap(vigil.waitFor("small") { $0.state == "ready" })
        XCTAssertEqual(SimpleHTTP.get(port: bigPort, path: "/admin/memory?bytes=\(64 << 20)")?.status, 200)
        XCTAssertNotNil(vigil.waitFor("unlimited", timeout: .seconds(30)) { ($0.rssBytes ?? 0) > 100 << 20 }, "the unlimited one is the largest of all")
        XCTAssertTrue(poll { SimpleHTTP.get(port: bigPort, path: "/health")?.status == 200 })

        try supervisorConfig(stateDir: vigil.stateDir, manifestsDir: vigil.manifestsDir, extraYAML: "reclaim: {memory: {hostHighWatermark: 1%}}")
            .write(toFile: vigil.configPath, atomically: true, encoding: .utf8)
        let reload = try vigil.cli(["reload"])
        XCTAssertEqual(reload.code, 0, reload.output)

        XCTAssertNotNil(vigil.waitFor("big", timeout: .seconds(60)) { $0.pid != nil && $0.pid != big.pid }, "big is replaced: \(vigil.output)")
        let events = try vigil.events()
        let host = events.filter { $0.kind == .memory && $0.reason == "host" }
        XCTAssertEqual(host.map(\.service), ["big"], "the largest limited service, and only it: \(host.map(\.message))")
        XCTAssertTrue(host.first?.message.contains("over hostHighWatermark 1%") ?? false, "\(host.map(\.message))")
        XCTAssertTrue(events.contains { $0.kind == .restarted && $0.reason == "memory" && $0.service == "big" })
        XCTAssertEqual(try vigil.instance("small")?.pid, small.pid, "one at a time")
    }
}
