import Foundation
import VigilManifest
import VigilTestKit
import XCTest

@testable import VigilDeploy

/// A builtin router on an ephemeral 127.0.0.1 port with two colors behind it.
struct RouterUnderTest {
    let router: BuiltinRouter
    let port: UInt16
    let ports: [Color: UInt16]

    static func start(
        ports: [Color: UInt16], weights: [Color: Int], fallback: Color? = nil, mode: TrafficProtocol = .http,
        drainTimeout: Duration = .seconds(10)
    ) async throws -> RouterUnderTest {
        let configuration = BuiltinRouter.Configuration(
            service: "router-test", listen: HostPort(host: "127.0.0.1", port: 0), mode: mode,
            drainTimeout: drainTimeout, connectTimeout: .seconds(5), threads: 2
        )
        let router = BuiltinRouter(configuration: configuration)
        try await router.start()
        try await router.apply(RoutingTable(weights: weights, ports: ports, fallback: fallback))
        let port = try XCTUnwrap(router.boundPort)
        return RouterUnderTest(router: router, port: port, ports: ports)
    }

    func apply(_ weights: [Color: Int]) async throws {
        try await router.apply(RoutingTable(weights: weights, ports: ports))
    }
}

/// Two `vigil-fixture` processes, one per color, each reporting its color in `GET /`.
struct ColorFixtures {
    let processes: [Color: ProcessHandle]
    let ports: [Color: UInt16]

    static func start(arguments: [Color: [String]] = [:]) throws -> ColorFixtures {
        var processes: [Color: ProcessHandle] = [:]
        var ports: [Color: UInt16] = [:]
        for color in Color.allCases {
            let port = try freeTCPPort()
            processes[color] = try ProcessHandle.fixture(port: port, arguments: arguments[color] ?? [], environment: ["COLOR": color.rawValue])
            ports[color] = port
        }
        return ColorFixtures(processes: processes, ports: ports)
    }

    func stop() {
        for process in processes.values {
            process.terminate()
            process.waitForExit()
        }
    }
}

/// The `color` field of a fixture's `GET /` answer.
func servedColor(_ response: HTTPTestResponse) -> String? { servedColor(body: response.body) }

func servedColor(body: String) -> String? {
    let fields = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
    return fields?["color"] as? String
}

/// A raw client socket on 127.0.0.1 for what `HTTPTestConnection` cannot do: reading a response
/// before it ends, sending a body in pieces.
final class RawClient {
    let fd: Int32

    init(port: UInt16, timeout: Duration = .seconds(10)) throws {
        fd = try connectedTCPSocket(port: port, timeout: timeout)
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw TestKitError("send failed: \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads until `predicate` holds on everything read so far, the peer closes, or a read times out.
    func read(until predicate: ([UInt8]) -> Bool) -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !predicate(received) {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: chunk[..<count])
        }
        return received
    }

    /// Reads until the peer closes or a read times out.
    func readToEnd() -> [UInt8] { read { _ in false } }
}

extension Array where Element == UInt8 {
    func contains(_ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard count >= needle.count, !needle.isEmpty else { return needle.isEmpty }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if self[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
