import Foundation
import VigilManifest
import VigilTestKit
import XCTest

@testable import VigilDeploy

/// The nginx router against a real nginx on loopback.
final class NginxRouterTests: XCTestCase {
    func testSwitchingWeightsMovesTrafficThroughNginx() async throws {
        let fixtures = try ColorFixtures.start()
        defer { fixtures.stop() }
        let nginx = try NginxUnderTest(initialPort: fixtures.ports[.blue]!)
        defer { nginx.stop() }
        let router = NginxRouter(service: nginx.service, nginx: nginx.spec, ports: fixtures.ports)
        try await router.start()

        try await router.apply(RoutingTable(weights: [.green: 100, .blue: 0], ports: fixtures.ports))
        let file = try String(contentsOfFile: nginx.upstreamPath, encoding: .utf8)
        XCTAssertTrue(file.contains("server 127.0.0.1:\(fixtures.ports[.green]!) weight=100;"), file)
        XCTAssertFalse(file.contains(":\(fixtures.ports[.blue]!)"), "nginx has no weight 0: blue is left out\n\(file)")
        let moved = poll { (0..<5).allSatisfy { _ in SimpleHTTP.get(port: nginx.port, path: "/").flatMap { servedColor(body: $0.body) } == "green" } }
        XCTAssertTrue(moved, "after the reload nginx sends everything to green")

        try await router.apply(RoutingTable(weights: [.green: 50, .blue: 50], ports: fixtures.ports))
        var colors: [String: Int] = [:]
        let split = poll {
            colors = [:]
            for _ in 0..<40 {
                if let color = SimpleHTTP.get(port: nginx.port, path: "/").flatMap({ servedColor(body: $0.body) }) {
                    colors[color, default: 0] += 1
                }
            }
            return colors["blue", default: 0] >= 15 && colors["green", default: 0] >= 15
        }
        await router.shutdown()
        XCTAssertTrue(split, "50/50 reaches both colors: \(colors)")
    }

    func testTheFallbackIsABackupServerNginxRetriesOn() async throws {
        let fixtures = try ColorFixtures.start()
        defer { fixtures.stop() }
        let nginx = try NginxUnderTest(initialPort: fixtures.ports[.blue]!)
        defer { nginx.stop() }
        let refusing = try freeTCPPort()
        let ports: [Color: UInt16] = [.blue: refusing, .green: fixtures.ports[.green]!]
        let router = NginxRouter(service: nginx.service, nginx: nginx.spec, ports: ports)
        try await router.start()

        try await router.apply(RoutingTable(weights: [.blue: 100, .green: 0], ports: ports, fallback: .green))
        let file = try String(contentsOfFile: nginx.upstreamPath, encoding: .utf8)
        let served = poll { (0..<5).allSatisfy { _ in SimpleHTTP.get(port: nginx.port, path: "/").flatMap { servedColor(body: $0.body) } == "green" } }
        await router.shutdown()

        XCTAssertTrue(file.contains("server 127.0.0.1:\(refusing) weight=100;"), file)
        XCTAssertTrue(file.contains("server 127.0.0.1:\(ports[.green]!) backup;"), file)
        XCTAssertTrue(served, "nginx took the file and sends what blue refuses to the backup green\n\(file)")
    }

    func testFailedNginxTestRestoresThePreviousFileByteForByte() async throws {
        let fixtures = try ColorFixtures.start()
        defer { fixtures.stop() }
        let nginx = try NginxUnderTest(initialPort: fixtures.ports[.blue]!)
        defer { nginx.stop() }
        let router = NginxRouter(service: nginx.service, nginx: nginx.spec, ports: fixtures.ports)
        try await router.start()
        let before = try Data(contentsOf: URL(fileURLWithPath: nginx.upstreamPath))

        do {
            // Port 0 renders an upstream nginx -t rejects ("invalid port in upstream").
            try await router.apply(RoutingTable(weights: [.green: 100], ports: [.green: 0, .blue: fixtures.ports[.blue]!]))
            XCTFail("an upstream nginx rejects must make apply throw")
        } catch {
            let message = "\(error)"
            XCTAssertTrue(message.contains("nginx test failed"), message)
            XCTAssertTrue(message.contains("invalid port in upstream"), "nginx's own stderr is in the message: \(message)")
            XCTAssertTrue(message.contains("previous"), message)
        }
        let after = try Data(contentsOf: URL(fileURLWithPath: nginx.upstreamPath))
        await router.shutdown()
        XCTAssertEqual(after, before, "the old upstream file is back, byte for byte")
        XCTAssertEqual(SimpleHTTP.get(port: nginx.port, path: "/")?.status, 200, "nginx keeps serving the old upstream")
    }

    func testFailedReloadRestoresThePreviousFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("upstream.conf")
        let original = Data("# operator's file\n".utf8)
        try original.write(to: URL(fileURLWithPath: path))
        let spec = NginxSpec(upstreamFile: path, reload: ["/bin/sh", "-c", "echo 'nginx: [error] invalid PID number' >&2; exit 1"], test: ["/bin/true"])
        let router = NginxRouter(service: "web", nginx: spec, ports: [.blue: 18080, .green: 18081])
        try await router.start()

        do {
            try await router.apply(.all(to: .green, ports: [.blue: 18080, .green: 18081]))
            XCTFail("a failed reload must make apply throw")
        } catch {
            XCTAssertTrue("\(error)".contains("nginx reload failed"), "\(error)")
            XCTAssertTrue("\(error)".contains("invalid PID number"), "\(error)")
        }
        await router.shutdown()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), original)
    }

    func testAccessLogLinesBecomePerColorStats() async throws {
        let fixtures = try ColorFixtures.start(arguments: [.blue: ["--error-rate", "0.2"]])
        defer { fixtures.stop() }
        let nginx = try NginxUnderTest(initialPort: fixtures.ports[.blue]!)
        defer { nginx.stop() }
        let router = NginxRouter(service: nginx.service, nginx: nginx.spec, ports: fixtures.ports)
        try await router.start()

        let statuses = await Task.detached { (0..<50).compactMap { _ in SimpleHTTP.get(port: nginx.port, path: "/")?.status } }.value
        let counted = await poll { await router.stats(for: .blue, over: .seconds(60)).requests == 50 }
        let blue = await router.stats(for: .blue, over: .seconds(60))
        let green = await router.stats(for: .green, over: .seconds(60))
        await router.shutdown()

        XCTAssertEqual(statuses.filter { $0 == 500 }.count, 10)
        XCTAssertTrue(counted, "every proxied request is attributed to blue by its upstream port: \(blue)")
        XCTAssertEqual(blue.serverErrors, 10)
        XCTAssertNotNil(blue.latencyP99)
        XCTAssertEqual(green.requests, 0)
    }

    func testAccessLogLineParsing() throws {
        let simple = try XCTUnwrap(NginxAccessLogLine("1732212345.123 127.0.0.1:18081 200 0.002"))
        XCTAssertEqual(simple.port, 18081)
        XCTAssertEqual(simple.status, 200)
        XCTAssertEqual(simple.failedPorts, [])
        XCTAssertEqual(simple.latencyNanoseconds, 2_000_000)
        let retried = try XCTUnwrap(NginxAccessLogLine("1732212345.123 127.0.0.1:18080, 127.0.0.1:18081 502 0.000, 0.004"))
        XCTAssertEqual(retried.failedPorts, [18080])
        XCTAssertEqual(retried.port, 18081)
        XCTAssertEqual(retried.latencyNanoseconds, 4_000_000)
        XCTAssertNil(NginxAccessLogLine("1732212345.123 - 404 -"), "nginx answered itself: no color")
        XCTAssertNil(NginxAccessLogLine("127.0.0.1 - - [21/Nov/2026] \"GET / HTTP/1.1\" 200"), "another log format")
    }
}
