import Foundation
import Glibc
import VigilTestKit
import XCTest
@testable import VigilSupervisor

/// CurlMulti, HTTPProbe and TCPProbe against real servers on 127.0.0.1 and a Unix socket.
final class CurlProbeTests: XCTestCase {
    private var client: CurlMulti!
    private var server: LoopbackHTTPServer!

    override func setUpWithError() throws {
        client = try CurlMulti()
        server = try LoopbackHTTPServer { request in
            switch request.path {
            case "/ok": return .respond(status: 200, headers: [:], body: Array("ok".utf8))
            case "/fail": return .respond(status: 500, headers: [:], body: Array("broken".utf8))
            case "/missing": return .respond(status: 404, headers: [:], body: [])
            case "/moved": return .respond(status: 302, headers: ["Location": "/target"], body: [])
            case "/big": return .respond(status: 200, headers: [:], body: Array(repeating: 0x61, count: 200_000))
            case "/echo-header": return .respond(status: 200, headers: [:], body: Array((request.headers["x-probe"] ?? "none").utf8))
            case "/hang": return .silent
            default: return .respond(status: 200, headers: [:], body: Array("other".utf8))
            }
        }
    }

    override func tearDown() {
        client.shutdown()
        server.stop()
    }

    private func url(_ path: String) -> String { "http://127.0.0.1:\(server.port)\(path)" }

    func testHTTPProbeJudgesStatusLikeKubernetes() async {
        let ok = await HTTPProbe(url: url("/ok"), headers: [:], client: client).check(timeout: .seconds(10))
        XCTAssertEqual(ok, .success)
        let failing = await HTTPProbe(url: url("/fail"), headers: [:], client: client).check(timeout: .seconds(10))
        XCTAssertEqual(failing, .failure("GET \(url("/fail")): status 500"))
        let missing = await HTTPProbe(url: url("/missing"), headers: [:], client: client).check(timeout: .seconds(10))
        XCTAssertEqual(missing, .failure("GET \(url("/missing")): status 404"))
        let moved = await HTTPProbe(url: url("/moved"), headers: [:], client: client).check(timeout: .seconds(10))
        XCTAssertEqual(moved, .success, "a 3xx is healthy")
        XCTAssertFalse(server.requests.contains { $0.path == "/target" }, "redirects are not followed")
    }

    func testProxyEnvironmentIsIgnored() async {
        setenv("http_proxy", "http://127.0.0.1:9", 1)
        defer { unsetenv("http_proxy") }
        let result = await HTTPProbe(url: url("/ok"), headers: [:], client: client).check(timeout: .seconds(10))
        XCTAssertEqual(result, .success)
    }

    func testGetReturnsStatusAndBody() async {
        let outcome = await client.get(url: url("/fail"), timeout: .seconds(10))
        XCTAssertEqual(outcome, .response(status: 500, body: Array("broken".utf8)))
    }

    func testHeadersAreSent() async {
        let outcome = await client.get(url: url("/echo-header"), headers: ["X-Probe": "vigil"], timeout: .seconds(10))
        XCTAssertEqual(outcome, .response(status: 200, body: Array("vigil".utf8)))
    }

    func testBodyIsCappedAndStillAnAnswer() async {
        guard case .response(let status, let body) = await client.get(url: url("/big"), timeout: .seconds(10)) else {
            return XCTFail("expected a response")
        }
        XCTAssertEqual(status, 200)
        XCTAssertEqual(body.count, client.configuration.maxBodyBytes)
    }

    func testConnectionRefused() async throws {
        let port = try freeTCPPort()
        let result = await HTTPProbe(url: "http://127.0.0.1:\(port)/ok", headers: [:], client: client).check(timeout: .seconds(10))
        XCTAssertEqual(result, .failure("GET http://127.0.0.1:\(port)/ok: connection refused"))
    }

    func testUnknownHostIsNamed() async {
        let result = await client.get(url: "http://no-such-host.invalid/healthz", timeout: .seconds(10))
        XCTAssertEqual(result, .failure("cannot resolve host no-such-host.invalid"))
    }

    func testServerThatNeverAnswersTimesOut() async {
        let started = Date()
        let result = await HTTPProbe(url: url("/hang"), headers: [:], client: client).check(timeout: .milliseconds(500))
        XCTAssertEqual(result, .failure("GET \(url("/hang")): timed out after 500ms"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 15, "the timeout bounds the probe")
    }

    func testTCPProbeConnectsAndClosesItsSocket() async throws {
        let result = await TCPProbe(host: "127.0.0.1", port: server.port, client: client).check(timeout: .seconds(10))
        XCTAssertEqual(result, .success)
        XCTAssertTrue(poll { server.accepted == 1 && server.closed == 1 }, "the probe's connection is closed, accepted \(server.accepted) closed \(server.closed)")

        let port = try freeTCPPort()
        let refused = await TCPProbe(host: "127.0.0.1", port: port, client: client).check(timeout: .seconds(10))
        XCTAssertEqual(refused, .failure("connect 127.0.0.1:\(port): connection refused"))
    }

    func testKeepAliveReusesTheConnection() async {
        for _ in 0..<50 {
            let outcome = await client.get(url: url("/ok"), timeout: .seconds(10))
            XCTAssertEqual(outcome, .response(status: 200, body: Array("ok".utf8)))
        }
        XCTAssertLessThanOrEqual(server.accepted, 2, "50 sequential GETs should share one keep-alive connection")
    }

    func testTwoHundredConcurrentProbes() async {
        let probe = HTTPProbe(url: url("/ok"), headers: [:], client: client)
        let successes = await withTaskGroup(of: ProbeResult.self) { group in
            for _ in 0..<200 { group.addTask { await probe.check(timeout: .seconds(20)) } }
            return await group.reduce(0) { $0 + ($1 == .success ? 1 : 0) }
        }
        XCTAssertEqual(successes, 200)
        XCTAssertEqual(server.requests.count, 200)
    }

    func testGetOverUnixSocket() async throws {
        let directory = try TemporaryDirectory()
        let socketServer = try LoopbackHTTPServer(unixSocket: directory.appending("probe.sock")) { request in
            .respond(status: 204, headers: [:], body: [])
        }
        defer {
            socketServer.stop()
            directory.remove()
        }
        let outcome = await client.get(url: "http://localhost/healthz", timeout: .seconds(10), unixSocketPath: directory.appending("probe.sock"))
        XCTAssertEqual(outcome, .response(status: 204, body: []))
        XCTAssertEqual(socketServer.requests.first?.path, "/healthz")
    }

    func testCallsAfterShutdownFailAtOnce() async {
        client.shutdown()
        let outcome = await client.get(url: url("/ok"), timeout: .seconds(10))
        XCTAssertEqual(outcome, .failure("probe client is shut down"))
        let connect = await client.connect(host: "127.0.0.1", port: server.port, timeout: .seconds(10))
        XCTAssertEqual(connect, .failure("probe client is shut down"))
    }

    /// CPU cost per probe against nginx (a separate process, so only the client's CPU is counted):
    /// keep-alive GETs and TCP connects (a fresh connection each). `VIGIL_BENCH_PROBES` sets the
    /// count of each (default 2000).
    func testCPUTimePerProbeAgainstNginx() async throws {
        let count = Int(ProcessInfo.processInfo.environment["VIGIL_BENCH_PROBES"] ?? "") ?? 2000
        let nginx = try NginxServer.start()
        defer { nginx.stop() }
        let http = HTTPProbe(url: "http://127.0.0.1:\(nginx.port)/healthz", headers: [:], client: client)
        let up = await poll { await http.check(timeout: .seconds(1)) == .success }
        XCTAssertTrue(up, "nginx did not come up")

        let gets = await measure("GETs", count: count, probe: http)
        XCTAssertEqual(gets, count)
        let connects = await measure("TCP connects", count: count, probe: TCPProbe(host: "127.0.0.1", port: nginx.port, client: client))
        XCTAssertEqual(connects, count)
    }

    /// Runs `probe` `count` times from 20 concurrent tasks, prints the cost, returns the successes.
    private func measure(_ label: String, count: Int, probe: some Probe) async -> Int {
        let cpuBefore = processCPUSeconds()
        let wallBefore = Date()
        let successes = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<20 {
                group.addTask {
                    var ok = 0
                    for _ in stride(from: worker, to: count, by: 20) where await probe.check(timeout: .seconds(10)) == .success { ok += 1 }
                    return ok
                }
            }
            return await group.reduce(0, +)
        }
        let cpu = processCPUSeconds() - cpuBefore
        let wall = Date().timeIntervalSince(wallBefore)
        print(String(format: "curl-bench: %d %@ in %.2f s wall, %.3f s CPU, %.1f µs CPU per probe, %.0f probes/s",
                     count, label, wall, cpu, cpu / Double(count) * 1e6, Double(count) / wall))
        return successes
    }
}

// MARK: - Helpers

private func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

/// nginx serving `200 ok` on an ephemeral 127.0.0.1 port from a temp prefix, in the foreground.
private struct NginxServer {
    let port: UInt16
    let process: Process
    let prefix: TemporaryDirectory

    static func start() throws -> NginxServer {
        guard let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("nginx is not installed")
        }
        let directory = try TemporaryDirectory()
        let prefix = directory.path
        let port = try freeTCPPort()
        let config = """
            daemon off; master_process off; worker_processes 1;
            pid \(prefix)/nginx.pid; error_log \(prefix)/error.log;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path \(prefix)/body; proxy_temp_path \(prefix)/proxy;
                fastcgi_temp_path \(prefix)/fastcgi; uwsgi_temp_path \(prefix)/uwsgi; scgi_temp_path \(prefix)/scgi;
                server { listen 127.0.0.1:\(port); keepalive_requests 100000; location / { return 200 "ok\\n"; } }
            }
            """
        try config.write(toFile: prefix + "/nginx.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log"]
        try process.run()
        return NginxServer(port: port, process: process, prefix: directory)
    }

    /// SIGKILL: single-process nginx inherits the test runner's blocked SIGTERM and would ignore it.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        prefix.remove()
    }
}
