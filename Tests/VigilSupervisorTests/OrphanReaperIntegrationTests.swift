import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// The orphan reaper of a real `vigil up`, after its predecessor died without stopping anything.
final class OrphanReaperIntegrationTests: XCTestCase {
    /// A recorded instance whose pid now leads an unrelated group, started at the recorded start
    /// time, without Vigil's mark: root's SIGTERM must not reach it.
    func testAStrangerWithTheRecordedPidAndStartTimeIsNotSignalled() throws {
        let vigil = try VigilProcess()
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: try freeTCPPort()))
        // Leads its own process group, as a setsid daemon or a login session would.
        let stranger = try ProcessHandle(executable: "/bin/sleep", arguments: ["300"])
        let startTicks = try XCTUnwrap(ProcStat.read(String(stranger.pid))?.startTicks)
        XCTAssertEqual(processGroup(pid: stranger.pid), stranger.pid)
        do {
            let store = try StateStore(path: vigil.stateDir + "/vigil.db")
            try store.upsertInstance(InstanceRecord(service: "web", pid: stranger.pid, startTime: startTicks, marker: "web/default/0123456789abcdef"))
        }

        try vigil.start()
        XCTAssertNotNil(vigil.waitFor("web") { $0.state == "ready" }, vigil.output)
        XCTAssertTrue(stranger.isRunning, "the stranger was signalled: \(String(describing: stranger.termination))")
        XCTAssertFalse(try vigil.events(service: "web").contains { $0.kind == .orphanKilled })
    }

    /// A real leftover and the process it forked into its group are stopped, and the
    /// `orphan_killed` event comes before the service's new spawn.
    func testLeftoversAreStoppedAndRecordedBeforeTheNewSpawn() throws {
        let vigil = try VigilProcess()
        let pidFile = vigil.directory.appending("gc.pid")
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: try freeTCPPort(), extraArgs: ["--spawn-grandchild", "--grandchild-pidfile", pidFile]))
        try vigil.start()
        let old = try XCTUnwrap(vigil.waitFor("web") { $0.state == "ready" })
        let grandchild = try XCTUnwrap(vigil.waitForPid(inFile: pidFile))
        let lastEventBefore = try XCTUnwrap(try vigil.events().last?.id)
        let first = try XCTUnwrap(vigil.process)
        first.terminate(signal: SIGKILL)
        XCTAssertNotNil(first.waitForExit(timeout: .seconds(10)))
        XCTAssertTrue(isProcessAlive(pid: old.pid!) && isProcessAlive(pid: grandchild))

        try vigil.start()
        XCTAssertNotNil(vigil.waitFor("web") { $0.state == "ready" && $0.pid != old.pid }, vigil.output)
        XCTAssertTrue(poll { !isProcessAlive(pid: old.pid!) && !isProcessAlive(pid: grandchild) }, "the leftover group is stopped")
        let events = try vigil.events(service: "web").filter { ($0.id ?? 0) > lastEventBefore }
        let killed = try XCTUnwrap(events.firstIndex { $0.kind == .orphanKilled && $0.pid == old.pid }, "\(events.map(\.message))")
        let spawned = try XCTUnwrap(events.firstIndex { $0.kind == .spawned }, "\(events.map(\.message))")
        XCTAssertLessThan(killed, spawned, "orphan_killed must be recorded before the new spawn: \(events.map(\.message))")
        XCTAssertTrue(events[killed].message.contains("2 processes"), events[killed].message)
    }

    /// A grandchild that left the process group (setsid) is not the marked group's, but it is
    /// still in the leftover instance cgroup: the next Vigil kills it too.
    func testADaemonizedGrandchildLeftInTheInstancesCgroupIsKilled() throws {
        try requireMemoryCgroups()
        let vigil = try VigilProcess()
        let pidFile = vigil.directory.appending("daemon.pid")
        try vigil.writeManifest("web", daemonizingFixtureManifest(name: "web", port: try freeTCPPort(), pidFile: pidFile))
        try vigil.start()
        let old = try XCTUnwrap(vigil.waitFor("web") { $0.state == "ready" })
        let daemon = try XCTUnwrap(vigil.waitForPid(inFile: pidFile))
        XCTAssertNotEqual(processGroup(pid: daemon), old.pid)
        let first = try XCTUnwrap(vigil.process)
        first.terminate(signal: SIGKILL)
        XCTAssertNotNil(first.waitForExit(timeout: .seconds(10)))
        try FileManager.default.removeItem(atPath: pidFile)

        try vigil.start()
        XCTAssertNotNil(vigil.waitFor("web") { $0.state == "ready" && $0.pid != old.pid }, vigil.output)
        XCTAssertTrue(poll { !isProcessAlive(pid: daemon) && !isProcessAlive(pid: old.pid!) }, "the daemonised grandchild is stopped with its instance")
        XCTAssertTrue(try vigil.events(service: "web").contains { $0.kind == .orphanKilled && $0.message.contains("left in cgroup web.default.") })
    }
}
