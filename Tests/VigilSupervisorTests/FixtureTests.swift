import Glibc
import VigilManifest
import VigilTestKit
import XCTest

/// The test workload itself: every fault other tests, chaos scenarios and benchmarks rely on
/// does what its flag or admin endpoint promises, on a real process and real sockets.
final class FixtureTests: XCTestCase {
    func testServesHealthAndIdentity() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port, arguments: ["--version", "v7"], environment: ["COLOR": "blue"])
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/health")?.status, 200)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/health")?.body, #"{"status":"ok"}"#)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/ready")?.status, 200)
        let root = try XCTUnwrap(SimpleHTTP.get(port: port, path: "/"))
        XCTAssertEqual(root.status, 200)
        XCTAssertEqual(root.body, #"{"service":"vigil-fixture","version":"v7","color":"blue","pid":\#(fixture.pid),"port":\#(port)}"#)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/nope")?.status, 404)
        XCTAssertEqual(SimpleHTTP.request(method: "DELETE", port: port, path: "/health")?.status, 405)
        XCTAssertTrue(fixture.output.contains("vigil-fixture listening on 127.0.0.1:\(port) pid=\(fixture.pid) version=v7"))
    }

    func testVersionAndPortComeFromEnvironment() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle(executable: BuiltProducts.fixture, environment: ["PORT": "\(port)", "VERSION": "env-9"])
        XCTAssertTrue(fixture.waitForOutput("listening on 127.0.0.1:\(port)"), fixture.output)
        XCTAssertTrue(SimpleHTTP.get(port: port, path: "/")?.body.contains(#""version":"env-9""#) == true)
    }

    func testFixtureArgsFromTheEnvironmentAddFaults() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle(executable: BuiltProducts.fixture, environment: ["PORT": "\(port)", "FIXTURE_ARGS": "--not-ready  --error-rate 1"])
        XCTAssertTrue(fixture.waitForOutput("listening on 127.0.0.1:\(port)"), fixture.output)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/ready")?.status, 503)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/")?.status, 500)
    }

    func testStartDelayPostponesListening() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port, arguments: ["--start-delay", "3s"], waitUntilListening: false)
        XCTAssertNil(SimpleHTTP.get(port: port, path: "/health", timeout: .milliseconds(500)), "nothing listens during the delay")
        XCTAssertTrue(fixture.waitForOutput("listening on 127.0.0.1:\(port)"))
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/health")?.status, 200)
    }

    func testFixtureManifestLoadsAsAService() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let manifests = dir.appending("manifests")
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        let port = try freeTCPPort()
        let manifest = try fixtureManifest(name: "web", port: port, extraArgs: ["--latency", "5ms"], extraYAML: "restart: {policy: on-failure}")
        try manifest.write(toFile: manifests + "/web.yaml", atomically: true, encoding: .utf8)
        let configPath = dir.appending("vigil.yaml")
        try supervisorConfig(stateDir: dir.appending("state"), manifestsDir: manifests).write(toFile: configPath, atomically: true, encoding: .utf8)

        let loaded = try ManifestLoader.load(configPath: configPath, manifestDirs: nil, builtins: [:])
        let web = try XCTUnwrap(loaded.service(named: "web")?.spec)
        XCTAssertEqual(web.command, [try BuiltProducts.fixture, "--port", "${PORT}", "--latency", "5ms"])
        XCTAssertEqual(web.port, port)
        XCTAssertEqual(web.restart.policy, .onFailure)
        XCTAssertEqual(loaded.supervisor.stateDir, dir.appending("state"))
    }

    func testSigtermExitsZeroWithMessage() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port)
        fixture.terminate(signal: SIGTERM)
        XCTAssertEqual(fixture.waitForExit(), 0)
        XCTAssertTrue(fixture.output.contains("shutting down"), fixture.output)
    }

    func testFailHealth() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port, arguments: ["--fail-health"])
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/health")?.status, 500)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/")?.status, 200, "only /health fails")
        XCTAssertTrue(fixture.isRunning)
    }

    /// Also exercises the async `poll`: blocking HTTP calls go to a detached task, off the
    /// cooperative pool.
    func testFailHealthAfter() async throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port, arguments: ["--fail-health-after", "1s"])
        let failed = await poll {
            await Task.detached { SimpleHTTP.get(port: port, path: "/health")?.status }.value == 500
        }
        XCTAssertTrue(failed)
        XCTAssertTrue(fixture.isRunning)
    }

    func testNotReadyAndReadyAfter() throws {
        let notReady = try freeTCPPort()
        let stuck = try ProcessHandle.fixture(port: notReady, arguments: ["--not-ready"])
        XCTAssertEqual(SimpleHTTP.get(port: notReady, path: "/ready")?.status, 503)
        XCTAssertEqual(SimpleHTTP.get(port: notReady, path: "/health")?.status, 200, "not ready is still alive")

        let later = try freeTCPPort()
        let slow = try ProcessHandle.fixture(port: later, arguments: ["--ready-after", "2s"])
        XCTAssertEqual(SimpleHTTP.get(port: later, path: "/ready")?.status, 503)
        XCTAssertTrue(poll { SimpleHTTP.get(port: later, path: "/ready")?.status == 200 })
        XCTAssertTrue(stuck.isRunning && slow.isRunning)
    }

    func testErrorRateIsExactOverAHundredRequests() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port, arguments: ["--error-rate", "0.2"])
        let connection = try HTTPTestConnection(port: port)
        let statuses = try (0..<100).map { _ in try connection.request(path: "/").status }
        XCTAssertEqual(statuses.filter { $0 == 500 }.count, 20)
        XCTAssertEqual(statuses.filter { $0 == 200 }.count, 80)
        XCTAssertTrue(fixture.isRunning)
    }

    func testCrashAfterExitsWithCode() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port, arguments: ["--crash-after", "500ms", "--exit-code", "3"])
        XCTAssertEqual(fixture.waitForExit(), 3)
        XCTAssertEqual(fixture.termination, .exited(3))
    }

    func testCrashSignal() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port, arguments: ["--crash-after", "200ms", "--crash-signal", "SEGV"])
        XCTAssertEqual(fixture.waitForExit(), 128 + SIGSEGV)
        XCTAssertEqual(fixture.termination, .signaled(SIGSEGV))
    }

    func testExitImmediately() throws {
        let fixture = try ProcessHandle(executable: BuiltProducts.fixture, arguments: ["--exit-immediately", "--exit-code", "42"])
        XCTAssertEqual(fixture.waitForExit(), 42)
        XCTAssertFalse(fixture.output.contains("listening"))
    }

    func testBindFailureExitsTwoWithReason() throws {
        let port = try freeTCPPort()
        let first = try ProcessHandle.fixture(port: port)
        let second = try ProcessHandle.fixture(port: port, waitUntilListening: false)
        XCTAssertEqual(second.waitForExit(), 2)
        XCTAssertTrue(second.output.contains("cannot listen on 127.0.0.1:\(port)"), second.output)
        XCTAssertTrue(first.isRunning)
    }

    func testBadFlagExitsWithUsageError() throws {
        let fixture = try ProcessHandle(executable: BuiltProducts.fixture, arguments: ["--latency", "soon"])
        XCTAssertEqual(fixture.waitForExit(), 64)
        XCTAssertTrue(fixture.output.contains("--latency soon: expected a duration"), fixture.output)
    }

    func testIgnoreSigtermSurvivesTermAndDiesToKill() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port, arguments: ["--ignore-sigterm"])
        fixture.terminate(signal: SIGTERM)
        XCTAssertNil(fixture.waitForExit(timeout: .seconds(1)), "SIGTERM must be ignored")
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/health")?.status, 200)
        fixture.terminate(signal: SIGKILL)
        XCTAssertEqual(fixture.waitForExit(), 128 + SIGKILL)
    }

    func testSpawnGrandchildStaysInGroupUntilGroupIsKilled() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pidfile = dir.appending("grandchild.pid")
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port, arguments: ["--spawn-grandchild", "--grandchild-pidfile", pidfile])
        let text = try String(contentsOfFile: pidfile, encoding: .utf8)
        let grandchild = try XCTUnwrap(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertNotEqual(grandchild, fixture.pid)
        XCTAssertTrue(isProcessAlive(pid: grandchild))
        XCTAssertEqual(processGroup(pid: grandchild), fixture.pid, "the grandchild shares the fixture's process group")

        fixture.terminate(signal: SIGKILL)
        XCTAssertEqual(fixture.waitForExit(), 128 + SIGKILL)
        XCTAssertTrue(isProcessAlive(pid: grandchild), "killing only the leader leaves the grandchild behind")
        fixture.terminate(signal: SIGKILL, group: true)
        XCTAssertTrue(poll { !isProcessAlive(pid: grandchild) })
    }

    func testAdminEndpointsFlipHealthReadinessAndErrors() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port)
        XCTAssertEqual(SimpleHTTP.post(port: port, path: "/admin/health?fail=1")?.status, 200)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/health")?.status, 500)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/admin/health?fail=0")?.status, 200, "admin accepts GET too")
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/health")?.status, 200)

        XCTAssertEqual(SimpleHTTP.post(port: port, path: "/admin/ready?ready=0")?.status, 200)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/ready")?.status, 503)
        XCTAssertEqual(SimpleHTTP.post(port: port, path: "/admin/ready?ready=1")?.status, 200)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/ready")?.status, 200)

        XCTAssertEqual(SimpleHTTP.post(port: port, path: "/admin/errors?rate=1")?.status, 200)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/")?.status, 500)
        XCTAssertEqual(SimpleHTTP.post(port: port, path: "/admin/errors?rate=0")?.status, 200)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/")?.status, 200)

        XCTAssertEqual(SimpleHTTP.post(port: port, path: "/admin/health?fail=maybe")?.status, 400)
        XCTAssertTrue(fixture.isRunning)
    }

    func testAdminLatencyDelaysRoot() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port)
        XCTAssertEqual(SimpleHTTP.post(port: port, path: "/admin/latency?ms=8000")?.status, 200)
        XCTAssertNil(SimpleHTTP.get(port: port, path: "/", timeout: .seconds(1)), "GET / should take 8 s")
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/health", timeout: .seconds(4))?.status, 200, "latency applies to / only")
        XCTAssertTrue(fixture.isRunning)
    }

    func testAdminInflightCountsRootRequestsHeldByLatency() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port)
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/admin/inflight")?.body, #"{"inFlight":0}"#)
        XCTAssertEqual(SimpleHTTP.post(port: port, path: "/admin/latency?ms=8000")?.status, 200)
        XCTAssertNil(SimpleHTTP.get(port: port, path: "/", timeout: .seconds(1)), "GET / is held for 8 s")
        XCTAssertEqual(SimpleHTTP.get(port: port, path: "/admin/inflight")?.body, #"{"inFlight":1}"#, "the client gave up; the fixture still holds it")
        XCTAssertTrue(fixture.isRunning)
    }

    func testAdminHangStopsAnsweringThenRecovers() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port)
        XCTAssertEqual(SimpleHTTP.post(port: port, path: "/admin/hang?ms=3000")?.status, 200)
        XCTAssertNil(SimpleHTTP.get(port: port, path: "/health", timeout: .milliseconds(500)), "hung: /health must not answer")
        XCTAssertTrue(poll { SimpleHTTP.get(port: port, path: "/health", timeout: .seconds(1))?.status == 200 })
        XCTAssertTrue(fixture.isRunning)
    }

    func testAdminCrashExitsWithCodeAfterAnswering() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port)
        XCTAssertEqual(SimpleHTTP.post(port: port, path: "/admin/crash?code=5")?.body, #"{"exiting":5}"#)
        XCTAssertEqual(fixture.waitForExit(), 5)
    }

    func testAdminMemoryAndGrowMemoryRaiseResidentMemory() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port)
        let before = try XCTUnwrap(residentMemory(pid: fixture.pid))
        XCTAssertEqual(SimpleHTTP.post(port: port, path: "/admin/memory?bytes=\(32 << 20)")?.status, 200)
        XCTAssertGreaterThan(try XCTUnwrap(residentMemory(pid: fixture.pid)), before + (24 << 20))

        let growing = try freeTCPPort()
        let grower = try ProcessHandle.fixture(port: growing, arguments: ["--grow-memory", "8Mi"])
        XCTAssertTrue(poll { (residentMemory(pid: grower.pid) ?? 0) > before + (24 << 20) }, "8 MiB a second should pass +24 MiB")
    }

    func testKeepAlivePipeliningBodiesAndClose() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port)
        let connection = try HTTPTestConnection(port: port)
        for path in ["/health", "/", "/ready", "/health"] {
            XCTAssertEqual(try connection.request(path: path).status, 200, path)
        }
        XCTAssertEqual(try connection.request(method: "POST", path: "/nope", body: String(repeating: "b", count: 50_000)).status, 404,
                       "a request body is read and discarded")
        XCTAssertEqual(try connection.request(method: "HEAD", path: "/health").headers["content-length"], "15")

        let pipelined = ["/ready", "/nope", "/health"].map { HTTPTestConnection.format(method: "GET", host: "127.0.0.1", port: port, path: $0) }
        try connection.send(raw: pipelined.joined())
        XCTAssertEqual(try (0..<3).map { _ in try connection.readResponse().status }, [200, 404, 200], "answers in request order")

        // 400 requests in one write span several 16 KiB reads, so heads straddle buffer refills.
        let burst = (0..<400).map { HTTPTestConnection.format(method: "GET", host: "127.0.0.1", port: port, path: $0 % 2 == 0 ? "/health" : "/nope") }
        try connection.send(raw: burst.joined())
        let statuses = try (0..<400).map { _ in try connection.readResponse().status }
        XCTAssertEqual(statuses, (0..<400).map { $0 % 2 == 0 ? 200 : 404 })

        let closing = try connection.request(path: "/health", headers: ["Connection": "close"])
        XCTAssertEqual(closing.headers["connection"], "close")
        XCTAssertThrowsError(try connection.request(path: "/health"), "the server closes after Connection: close")
        XCTAssertTrue(fixture.isRunning)
    }

    func testLogLinesAndLogEvery() throws {
        let port = try freeTCPPort()
        let fixture = try ProcessHandle.fixture(port: port, arguments: ["--log-lines", "1000", "--log-every", "100ms"])
        let lines = fixture.output.split(separator: "\n").filter { $0.hasPrefix("vigil-fixture log line ") }
        XCTAssertEqual(lines.count, 1000)
        XCTAssertTrue(lines.allSatisfy { $0.utf8.count == 99 }, "each line is 100 bytes with its newline")
        XCTAssertTrue(fixture.waitForOutput("vigil-fixture tick 3 "))
    }

    func testHelpListsEveryFlag() throws {
        let fixture = try ProcessHandle(executable: BuiltProducts.fixture, arguments: ["--help"])
        XCTAssertEqual(fixture.waitForExit(), 0)
        for flag in ["--port", "--host", "--start-delay", "--crash-after", "--exit-code", "--crash-signal", "--exit-immediately",
                     "--fail-health", "--fail-health-after", "--not-ready", "--ready-after", "--latency", "--error-rate",
                     "--grow-memory", "--ignore-sigterm", "--spawn-grandchild", "--grandchild-pidfile", "--log-lines",
                     "--log-every", "--version"] {
            XCTAssertTrue(fixture.output.contains(flag), "--help should list \(flag)")
        }
    }

    /// The launcher every test uses: own process group, clean signal state, no leaked descriptors.
    func testProcessHandleStartsCleanChildren() throws {
        var leaked: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&leaked), 0)
        defer { leaked.forEach { close($0) } }
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR2)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &previousMask)
        let previousAction = signal(SIGUSR1, SIG_IGN)
        defer {
            signal(SIGUSR1, previousAction)
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }

        let sleeper = try ProcessHandle(executable: "/bin/sleep", arguments: ["30"])
        XCTAssertTrue(poll { processState(pid: sleeper.pid) == "S" })
        XCTAssertEqual(processGroup(pid: sleeper.pid), sleeper.pid, "each child leads its own process group")
        let status = try String(contentsOfFile: "/proc/\(sleeper.pid)/status", encoding: .utf8)
        func signalSet(_ field: String) -> UInt64? {
            status.split(separator: "\n").first { $0.hasPrefix(field + ":") }.flatMap { UInt64($0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
        }
        // Only the classic signals 1-31 matter: glibc keeps its own real-time signals 32 and 33.
        let classic: UInt64 = 0x7FFF_FFFF
        XCTAssertEqual(signalSet("SigBlk").map { $0 & classic }, 0, "the signal mask must be empty:\n\(status)")
        XCTAssertEqual(signalSet("SigIgn").map { $0 & classic }, 0, "no signal may stay ignored:\n\(status)")
        sleeper.terminate()
        XCTAssertEqual(sleeper.waitForExit(), 128 + SIGTERM)
        XCTAssertEqual(sleeper.termination, .signaled(SIGTERM))

        let lister = try ProcessHandle(executable: "/bin/ls", arguments: ["/proc/self/fd"])
        XCTAssertEqual(lister.waitForExit(), 0)
        let descriptors = Set(lister.output.split(separator: "\n").map(String.init))
        XCTAssertTrue(descriptors.isSubset(of: ["0", "1", "2", "3"]), "only stdio (and ls's own directory) may be open: \(descriptors)")
    }

    /// Rough numbers for the report (benchmarks run hundreds of fixtures): time from spawn to
    /// the first answered /health, and resident memory once up. Asserted only loosely.
    func testMeasureStartupAndResidentMemory() throws {
        let port = try freeTCPPort()
        let clock = ContinuousClock()
        let started = clock.now
        let fixture = try ProcessHandle(executable: BuiltProducts.fixture, arguments: ["--port", "\(port)"])
        let answered = poll(interval: .milliseconds(2)) { SimpleHTTP.get(port: port, path: "/health")?.status == 200 }
        let startup = clock.now - started
        XCTAssertTrue(answered, fixture.output)
        let rss = try XCTUnwrap(residentMemory(pid: fixture.pid))
        print("vigil-fixture startup to first /health: \(startup), RSS: \(rss / 1024) KiB")
        XCTAssertLessThan(rss, 64 << 20, "one idle fixture should stay small")
    }
}
