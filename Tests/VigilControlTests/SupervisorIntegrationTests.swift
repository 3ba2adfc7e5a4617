import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// The supervisor core end to end: a real `vigil up`, real `vigil-fixture` processes, the real
/// control socket and CLI. Conditions are polled with generous timeouts; only lower bounds of
/// delays are asserted (a loaded machine can make things slower, never faster).
final class SupervisorIntegrationTests: XCTestCase {
    func testCrashingServiceRestartsWithGrowingDelaysThenCrashLoopsAndKeepsRetrying() throws {
        let vigil = try VigilProcess()
        try vigil.writeManifest("crashy", fixtureManifest(name: "crashy", port: try freeTCPPort(), extraArgs: ["--exit-immediately"], extraYAML: """
            restart:
              backoff: {initial: 200ms, max: 1s, multiplier: 2, jitter: 0%}
              crashLoop: {restarts: 4, within: 60s}
            """))
        try vigil.start()

        let looping = vigil.waitFor("crashy") { $0.state == "crashloop" }
        XCTAssertNotNil(looping, "the service should be reported in crashloop: \(vigil.output)")
        let restartsAtLoop = looping?.restarts ?? 0
        XCTAssertNotNil(vigil.waitFor("crashy") { $0.restarts >= restartsAtLoop + 2 }, "supervision goes on in a crash loop")

        let events = try vigil.events(service: "crashy")
        XCTAssertTrue(events.contains { $0.kind == .crashloop }, "a crashloop event is recorded")
        // Delay between each exit and the restart that followed it: at least 200ms, 400ms, 800ms.
        var delays: [TimeInterval] = []
        var lastExit: Date?
        for event in events {
            if event.kind == .exited { lastExit = event.time }
            if event.kind == .restarted, let exit = lastExit {
                delays.append(event.time.timeIntervalSince(exit))
                XCTAssertEqual(event.reason, "exit")
            }
        }
        XCTAssertGreaterThanOrEqual(delays.count, 4, "\(events.map(\.message))")
        for (index, minimum) in [0.2, 0.4, 0.8, 1.0].enumerated() where index < delays.count {
            XCTAssertGreaterThanOrEqual(delays[index], minimum * 0.95, "restart \(index + 1) came too early: \(delays)")
        }
    }

    func testLivenessFailureRestartsTheServiceWithReasonLiveness() throws {
        let vigil = try VigilProcess()
        let port = try freeTCPPort()
        try vigil.writeManifest("live", fixtureManifest(name: "live", port: port, extraYAML: """
            restart: {backoff: {initial: 100ms}}
            probes:
              liveness: {http: {path: /health}, period: 300ms, failureThreshold: 2}
            """))
        try vigil.start()
        let first = try XCTUnwrap(vigil.waitFor("live") { $0.state == "ready" })
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/admin/health?fail=1")?.status, 200)

        let restarted = vigil.waitFor("live") { $0.restarts == 1 && $0.pid != nil && $0.pid != first.pid }
        XCTAssertNotNil(restarted, "liveness failures should restart the service")
        let events = try vigil.events(service: "live")
        XCTAssertTrue(events.contains { $0.kind == .probeFailed && $0.reason == "liveness" })
        XCTAssertTrue(events.contains { $0.kind == .restarted && $0.reason == "liveness" }, "\(events.map(\.message))")
        XCTAssertFalse(isProcessAlive(pid: first.pid!), "the unhealthy process is gone")
    }

    func testReadinessFlipsReadyBothWays() throws {
        let vigil = try VigilProcess()
        let port = try freeTCPPort()
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: port, extraArgs: ["--not-ready"], extraYAML: """
            probes:
              readiness: {http: {path: /ready}, period: 200ms, failureThreshold: 2}
            """))
        try vigil.start()
        XCTAssertNotNil(vigil.waitFor("web") { $0.state == "running" && !$0.ready }, "alive but not ready")
        _ = SimpleHTTP.get(port: port, path: "/admin/ready?ready=1")
        let ready = vigil.waitFor("web") { $0.state == "ready" && $0.ready }
        XCTAssertNotNil(ready)
        _ = SimpleHTTP.get(port: port, path: "/admin/ready?ready=0")
        let notReady = vigil.waitFor("web") { $0.state == "running" && !$0.ready }
        XCTAssertNotNil(notReady)
        XCTAssertEqual(notReady?.pid, ready?.pid, "readiness never restarts anything")
        XCTAssertEqual(notReady?.restarts, 0)
    }

    func testSIGTERMIgnoringServiceIsKilledAfterStopTimeout() throws {
        let vigil = try VigilProcess()
        try vigil.writeManifest("stubborn", fixtureManifest(name: "stubborn", port: try freeTCPPort(), extraArgs: ["--ignore-sigterm"], extraYAML: """
            stop: {signal: SIGTERM, timeout: 1s}
            """))
        try vigil.start()
        let running = try XCTUnwrap(vigil.waitFor("stubborn") { $0.state == "ready" })
        let started = Date()
        let stop = try vigil.cli(["stop", "stubborn"])
        XCTAssertEqual(stop.code, 0, stop.output)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.95, "SIGTERM was ignored, so only SIGKILL after 1s ends it")
        XCTAssertTrue(poll { !isProcessAlive(pid: running.pid!) })
        XCTAssertEqual(try vigil.instance("stubborn")?.state, "stopped")
        let events = try vigil.events(service: "stubborn")
        XCTAssertTrue(events.contains { $0.message.contains("did not stop within 1s") }, "\(events.map(\.message))")
        XCTAssertTrue(events.contains { $0.kind == .exited && $0.message.contains("SIGKILL") })
    }

    func testGrandchildIsGoneAfterStop() throws {
        let vigil = try VigilProcess()
        let pidFile = vigil.directory.appending("grandchild.pid")
        try vigil.writeManifest("parent", fixtureManifest(name: "parent", port: try freeTCPPort(), extraArgs: ["--spawn-grandchild", "--grandchild-pidfile", pidFile]))
        try vigil.start()
        let grandchild = try XCTUnwrap(vigil.waitForPid(inFile: pidFile), "the fixture should write its grandchild's pid")
        XCTAssertTrue(isProcessAlive(pid: grandchild))
        let stop = try vigil.cli(["stop", "parent"])
        XCTAssertEqual(stop.code, 0, stop.output)
        XCTAssertTrue(poll { !isProcessAlive(pid: grandchild) }, "the grandchild must not outlive its service")
    }

    func testBadReloadIsRejectedAndTheOldProcessKeepsServing() throws {
        let vigil = try VigilProcess()
        let port = try freeTCPPort()
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: port))
        try vigil.start()
        let before = try XCTUnwrap(vigil.waitFor("web") { $0.state == "ready" })

        try vigil.writeManifest("web", fixtureManifest(name: "web", port: port, extraYAML: "restart: {polcy: always}"))
        let reload = try vigil.cli(["reload"])
        XCTAssertEqual(reload.code, 1, "a rejected reload exits 1")
        XCTAssertTrue(reload.output.contains("web.yaml:6:11"), reload.output)
        XCTAssertTrue(reload.output.contains("did you mean 'policy'"), reload.output)

        let after = try XCTUnwrap(vigil.instance("web"))
        XCTAssertEqual(after.pid, before.pid, "a bad reload touches nothing")
        XCTAssertEqual(after.state, "ready")
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/health")?.status, 200)
        XCTAssertTrue(try vigil.events().contains { $0.kind == .reloadRejected })
    }

    /// A reload that carries a valid change beside an invalid one applies neither, whether it
    /// comes from `vigil reload` or from SIGHUP; fixing the error then applies the valid change.
    func testAReloadWithOneBadManifestAppliesNoneOfItsChanges() throws {
        let vigil = try VigilProcess()
        let (goodPort, badPort, newPort) = (try freeTCPPort(), try freeTCPPort(), try freeTCPPort())
        try vigil.writeManifest("good", fixtureManifest(name: "good", port: goodPort))
        try vigil.writeManifest("bad", fixtureManifest(name: "bad", port: badPort))
        try vigil.start()
        let good = try XCTUnwrap(vigil.waitFor("good") { $0.state == "ready" })
        let bad = try XCTUnwrap(vigil.waitFor("bad") { $0.state == "ready" })

        // A valid change (new version), a new service, and one invalid manifest.
        try vigil.writeManifest("good", fixtureManifest(name: "good", port: goodPort, extraArgs: ["--version", "v2"]))
        try vigil.writeManifest("new", fixtureManifest(name: "new", port: newPort))
        try vigil.writeManifest("bad", fixtureManifest(name: "bad", port: badPort, extraYAML: "restart: {polcy: always}"))
        func assertNothingApplied(_ how: String) throws {
            XCTAssertEqual(try vigil.instance("good")?.pid, good.pid, "\(how): the valid change must not be applied alone")
            XCTAssertEqual(try vigil.instance("bad")?.pid, bad.pid, how)
            XCTAssertNil(try vigil.instance("new"), "\(how): the new service must not start")
            XCTAssertFalse(SimpleHTTP.get(port: goodPort, path: "/")?.body.contains("v2") ?? true, how)
        }

        let reload = try vigil.cli(["reload"])
        XCTAssertEqual(reload.code, 1, reload.output)
        XCTAssertTrue(reload.output.contains("bad.yaml:6:11"), reload.output)
        try assertNothingApplied("vigil reload")

        let process = try XCTUnwrap(vigil.process)
        process.terminate(signal: SIGHUP)
        XCTAssertTrue(poll(timeout: .seconds(30)) { ((try? vigil.events()) ?? []).filter { $0.kind == .reloadRejected }.count >= 2 }, "SIGHUP's reload is rejected too")
        try assertNothingApplied("SIGHUP")

        try vigil.writeManifest("bad", fixtureManifest(name: "bad", port: badPort))
        let fixed = try vigil.cli(["reload"])
        XCTAssertEqual(fixed.code, 0, fixed.output)
        XCTAssertNotNil(vigil.waitFor("good") { $0.state == "ready" && $0.pid != good.pid }, "the valid change applies once nothing is wrong")
        XCTAssertNotNil(vigil.waitFor("new") { $0.state == "ready" })
        XCTAssertEqual(try vigil.instance("bad")?.pid, bad.pid, "an unchanged manifest keeps its process")
    }

    func testReloadRestartsChangedStartsNewStopsRemovedAndLeavesTheRestAlone() throws {
        let vigil = try VigilProcess()
        let (keepPort, changePort, removePort, addPort) = (try freeTCPPort(), try freeTCPPort(), try freeTCPPort(), try freeTCPPort())
        try vigil.writeManifest("keep", fixtureManifest(name: "keep", port: keepPort))
        try vigil.writeManifest("change", fixtureManifest(name: "change", port: changePort))
        try vigil.writeManifest("remove", fixtureManifest(name: "remove", port: removePort))
        try vigil.start()
        let keep = try XCTUnwrap(vigil.waitFor("keep") { $0.state == "ready" })
        let change = try XCTUnwrap(vigil.waitFor("change") { $0.state == "ready" })
        let remove = try XCTUnwrap(vigil.waitFor("remove") { $0.state == "ready" })

        try vigil.writeManifest("change", fixtureManifest(name: "change", port: changePort, extraArgs: ["--version", "v2"]))
        try FileManager.default.removeItem(atPath: "\(vigil.manifestsDir)/remove.yaml")
        try vigil.writeManifest("add", fixtureManifest(name: "add", port: addPort))
        let reload = try vigil.cli(["reload"])
        XCTAssertEqual(reload.code, 0, reload.output)
        XCTAssertTrue(reload.output.contains("restarted: change"), reload.output)
        XCTAssertTrue(reload.output.contains("started: add"), reload.output)
        XCTAssertTrue(reload.output.contains("stopped: remove"), reload.output)

        XCTAssertEqual(try vigil.instance("keep")?.pid, keep.pid, "an unchanged service keeps its pid")
        let changed = vigil.waitFor("change") { $0.state == "ready" && $0.pid != change.pid }
        XCTAssertNotNil(changed)
        XCTAssertTrue(SimpleHTTP.get(port: changePort, path: "/")?.body.contains("v2") ?? false)
        XCTAssertNotNil(vigil.waitFor("add") { $0.state == "ready" })
        XCTAssertNil(try vigil.instance("remove"))
        XCTAssertTrue(poll { !isProcessAlive(pid: remove.pid!) })
    }

    func testSIGTERMToVigilStopsEveryServiceGroupBeforeExiting() throws {
        let vigil = try VigilProcess()
        let pidFile = vigil.directory.appending("gc.pid")
        try vigil.writeManifest("a", fixtureManifest(name: "a", port: try freeTCPPort(), extraArgs: ["--spawn-grandchild", "--grandchild-pidfile", pidFile]))
        try vigil.writeManifest("b", fixtureManifest(name: "b", port: try freeTCPPort(), extraArgs: ["--ignore-sigterm"], extraYAML: "stop: {timeout: 500ms}"))
        try vigil.start()
        let a = try XCTUnwrap(vigil.waitFor("a") { $0.state == "ready" })
        let b = try XCTUnwrap(vigil.waitFor("b") { $0.state == "ready" })
        let grandchild = try XCTUnwrap(vigil.waitForPid(inFile: pidFile), "the fixture should write its grandchild's pid")
        let process = try XCTUnwrap(vigil.process)
        process.terminate(signal: SIGTERM)
        XCTAssertEqual(process.waitForExit(timeout: .seconds(30)), 0, "a clean stop exits 0: \(vigil.output)")
        for pid in [a.pid!, b.pid!, grandchild] {
            XCTAssertFalse(isProcessAlive(pid: pid), "pid \(pid) outlived Vigil")
        }
    }

    func testAfterKill9ANewVigilStopsTheLeftoversBeforeStartingAgain() throws {
        let vigil = try VigilProcess()
        let port = try freeTCPPort()
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: port))
        try vigil.start()
        let old = try XCTUnwrap(vigil.waitFor("web") { $0.state == "ready" })
        let first = try XCTUnwrap(vigil.process)
        first.terminate(signal: SIGKILL)
        XCTAssertNotNil(first.waitForExit(timeout: .seconds(10)))
        XCTAssertTrue(isProcessAlive(pid: old.pid!), "SIGKILL gives Vigil no chance to stop its services")

        try vigil.start()
        let fresh = try XCTUnwrap(vigil.waitFor("web") { $0.state == "ready" })
        XCTAssertNotEqual(fresh.pid, old.pid)
        XCTAssertTrue(poll { !isProcessAlive(pid: old.pid!) }, "the leftover from the killed Vigil is stopped")
        XCTAssertTrue(try vigil.events(service: "web").contains { $0.kind == .orphanKilled && $0.pid == old.pid })
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/health")?.status, 200)
    }

    func testSecondVigilOnTheSameStateIsRefused() throws {
        let vigil = try VigilProcess()
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: try freeTCPPort()))
        try vigil.start()
        let second = try vigil.cli(["up"], timeout: .seconds(30))
        XCTAssertEqual(second.code, 1)
        XCTAssertTrue(second.output.contains("another Vigil is already running"), second.output)
    }

    func testStatusJSONHasTheDocumentedShape() throws {
        let vigil = try VigilProcess()
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: try freeTCPPort()))
        try vigil.start()
        XCTAssertNotNil(vigil.waitFor("web") { $0.state == "ready" })
        let result = try vigil.cli(["status", "--json"])
        XCTAssertEqual(result.code, 0)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let service = try XCTUnwrap((object["services"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(service.keys), ["name", "state", "activeColor", "revision", "version", "instances", "rollout", "standby"])
        XCTAssertTrue(service["activeColor"] is NSNull, "null without a deploy section")
        XCTAssertTrue(service["standby"] is NSNull, "null without a warm standby")
        let instance = try XCTUnwrap((service["instances"] as? [[String: Any]])?.first)
        XCTAssertNotNil(object["memoryLimits"] as? String, "how memory limits are enforced")
        for key in ["color", "pid", "state", "ready", "restarts", "rssBytes", "startedAt", "memoryBytes", "memoryHighBytes", "memoryMaxBytes"] {
            XCTAssertNotNil(instance[key], "instance key \(key)")
        }
        XCTAssertEqual(instance["color"] as? String, "default")
        let table = try vigil.cli(["status"])
        XCTAssertTrue(table.output.contains("web") && table.output.contains("ready"), table.output)
        let events = try vigil.client.send("GET", "/v1/events?since=0").text
        let list = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(events.utf8)) as? [String: Any])
        let started = try XCTUnwrap((list["events"] as? [[String: Any]])?.first { $0["kind"] as? String == "supervisor_started" })
        XCTAssertEqual(Set(started.keys), ["id", "time", "service", "color", "kind", "reason", "message", "pid"])
        XCTAssertTrue(started["color"] is NSNull, "absent values are explicit nulls in events too")
        let missing = try vigil.cli(["stop", "nope"])
        XCTAssertEqual(missing.code, 1)
        XCTAssertTrue(missing.output.contains("no service named 'nope'"), missing.output)
    }

    func testArgvEnvAndWorkingDirectoryReachTheProcessExpanded() throws {
        let vigil = try VigilProcess()
        let port = try freeTCPPort()
        let workDir = vigil.directory.appending("work")
        try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        try vigil.writeManifest("envy", """
            apiVersion: vigil/v1
            kind: Service
            name: envy
            command: [/bin/sh, -c, 'echo "ARG=$0 B=$B CWD=$(pwd) COLOR=$COLOR SERVICE=$SERVICE"; exec sleep 1000', "${SERVICE}-${PORT}"]
            port: \(port)
            workingDir: \(yamlQuoted(workDir))
            env: {A: "a-${PORT}", B: "${A}-b"}
            """)
        try vigil.start()
        let expected = "ARG=envy-\(port) B=a-\(port)-b CWD=\(workDir) COLOR=default SERVICE=envy"
        XCTAssertTrue(poll { (try? vigil.cli(["logs", "envy"]).output.contains(expected)) ?? false },
                      "expected '\(expected)' in: \((try? vigil.cli(["logs", "envy"]).output) ?? "")")
    }

    func testLogsAreCapturedAndShownByTheCLI() throws {
        let vigil = try VigilProcess()
        try vigil.writeManifest("chatty", fixtureManifest(name: "chatty", port: try freeTCPPort(), extraArgs: ["--log-lines", "5"]))
        try vigil.start()
        XCTAssertNotNil(vigil.waitFor("chatty") { $0.state == "ready" })
        XCTAssertTrue(poll {
            (try? vigil.cli(["logs", "chatty", "-n", "50"]).output.contains("vigil-fixture listening")) ?? false
        })
        let lastTwo = try vigil.cli(["logs", "chatty", "-n", "2"])
        XCTAssertEqual(lastTwo.code, 0)
        XCTAssertEqual(lastTwo.output.split(separator: "\n").count, 2, lastTwo.output)
    }
}
