import Foundation
import SOCEngine
import VigilTestKit
import XCTest

/// A real engine on 127.0.0.1 (free port, temp database) for API tests, with helpers to talk
/// to it over fresh TCP connections.
final class EngineHarness {
    let directory: TemporaryDirectory
    let databasePath: String
    let service: EngineService
    private(set) var port: UInt16 = 0
    private let task: Task<Void, any Error>
    private let finished = DispatchSemaphore(value: 0)

    /// Starts an engine; `databasePath` reuses an existing database (restart tests).
    init(directory: TemporaryDirectory? = nil, configure: (inout SOCEngineServer.Configuration) -> Void = { _ in }) throws {
        let directory = try directory ?? TemporaryDirectory(prefix: "soc")
        self.directory = directory
        var configuration = SOCEngineServer.Configuration()
        configuration.port = 0
        // Stopping by task cancellation makes Hummingbird log shutdown noise at error level.
        configuration.logLevel = .critical
        configuration.databasePath = directory.appending("engine.db")
        configure(&configuration)
        databasePath = configuration.databasePath
        let service = try SOCEngineServer.makeService(configuration)
        self.service = service
        let bound = PortBox()
        let finished = self.finished
        let config = configuration
        task = Task.detached {
            defer { finished.signal() }
            try await SOCEngineServer.run(configuration: config, service: service) { port in bound.set(port) }
        }
        guard poll(timeout: .seconds(30), { bound.get() != nil }) else {
            task.cancel()
            throw TestKitError("the engine did not start listening within 30 s")
        }
        port = UInt16(bound.get()!)
    }

    /// Stops the engine and waits until it has shut down.
    func stop() {
        task.cancel()
        _ = finished.wait(timeout: .now() + 30)
    }

    func request(_ path: String) throws -> HTTPTestResponse { try request("GET", path) }

    func request(_ method: String, _ path: String, body: String = "", headers: [String: String] = [:]) throws -> HTTPTestResponse {
        var headers = headers
        if !body.isEmpty, headers["Content-Type"] == nil { headers["Content-Type"] = "application/json" }
        return try HTTPTestConnection(port: port, timeout: .seconds(30)).request(method: method, path: path, headers: headers, body: body)
    }

    /// The response body as a JSON object; fails the test when it is not one.
    func json(_ response: HTTPTestResponse, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(response.body.utf8))
        return try XCTUnwrap(value as? [String: Any], "expected a JSON object, got \(response.body)", file: file, line: line)
    }
}

/// The port reported by the server's start callback.
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?
    func set(_ value: Int) { lock.withLock { port = value } }
    func get() -> Int? { lock.withLock { port } }
}

/// Signals for tests, written the way a client would send them.
enum Signals {
    static func json(_ type: String, customer: String = "acme_corp", timestamp: String? = nil, metadata: [String: Any]) -> String {
        var object: [String: Any] = ["threat_type": type, "customer_name": customer, "metadata": metadata]
        if let timestamp { object["timestamp"] = timestamp }
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// A validated signal for driving the coordinator directly.
    static func make(_ type: ThreatType, customer: String = "acme_corp", at time: Date = Date(timeIntervalSince1970: 1_795_000_000), metadata: [String: JSONValue]) -> SecuritySignal {
        SecuritySignal(id: UUID().uuidString, threatType: type, customerName: customer, timestamp: time, metadata: metadata)
    }
}
