import Foundation
import VigilSupervisor
import XCTest

/// The control API's JSON byte for byte: absent values are `null`, never left out (SPEC section 1),
/// and decoding accepts both `null` and a missing key.
final class ControlJSONTests: XCTestCase {
    private let startedAt = Date(timeIntervalSince1970: 1_795_280_580.25)

    private func json(_ value: some Encodable) throws -> String {
        String(decoding: try VigilJSON.encoder().encode(value), as: UTF8.self)
    }

    func testStatusWritesEveryAbsentValueAsNull() throws {
        let idle = InstanceStatus(color: "default", pid: nil, state: "stopped", ready: false, restarts: 0, rssBytes: nil, cpuSeconds: nil, startedAt: nil)
        let report = StatusReport(services: [
            ServiceStatus(name: "web", state: "stopped", activeColor: nil, revision: nil, version: nil, instances: [idle], rollout: nil),
        ])
        XCTAssertEqual(try json(report), #"""
            {"memoryLimits":null,"services":[{"activeColor":null,"instances":[{"color":"default","cpuSeconds":null,"memoryBytes":null,"memoryHighBytes":null,"memoryMaxBytes":null,"pid":null,"ready":false,"restarts":0,"rssBytes":null,"startedAt":null,"state":"stopped"}],"name":"web","revision":null,"rollout":null,"standby":null,"state":"stopped","version":null}]}
            """#)
    }

    func testStatusWithEveryValueRoundTrips() throws {
        let running = InstanceStatus(
            color: "blue", pid: 42, state: "ready", ready: true, restarts: 2, rssBytes: 4096, cpuSeconds: 1.5, startedAt: startedAt,
            memoryBytes: 8192, memoryHighBytes: 268_435_456, memoryMaxBytes: 536_870_912
        )
        let rollout = RolloutStatus(id: "ro-0000abcd", phase: "canary", weights: ["blue": 90, "green": 10], startedAt: startedAt)
        let service = ServiceStatus(
            name: "api", state: "ready", activeColor: "blue", revision: "r-12345678", version: "v2", instances: [running], rollout: rollout,
            standby: StandbyStatus(color: "green", serving: true)
        )
        let text = try json(service)
        XCTAssertEqual(text, #"""
            {"activeColor":"blue","instances":[{"color":"blue","cpuSeconds":1.5,"memoryBytes":8192,"memoryHighBytes":268435456,"memoryMaxBytes":536870912,"pid":42,"ready":true,"restarts":2,"rssBytes":4096,"startedAt":"2026-11-21T17:03:00.250Z","state":"ready"}],"name":"api","revision":"r-12345678","rollout":{"id":"ro-0000abcd","phase":"canary","startedAt":"2026-11-21T17:03:00.250Z","weights":{"blue":90,"green":10}},"standby":{"color":"green","serving":true},"state":"ready","version":"v2"}
            """#)
        XCTAssertEqual(try VigilJSON.decoder().decode(ServiceStatus.self, from: Data(text.utf8)), service)
    }

    func testEventWritesAbsentValuesAsNull() throws {
        let event = SupervisorEvent(time: startedAt, service: "vigil", kind: .supervisorStarted, message: "supervising 1 services")
        XCTAssertEqual(try json(event), #"""
            {"color":null,"id":null,"kind":"supervisor_started","message":"supervising 1 services","pid":null,"reason":null,"service":"vigil","time":"2026-11-21T17:03:00.250Z"}
            """#)
    }

    func testDecodingAcceptsNullsAndMissingKeys() throws {
        let withNulls = #"{"id":null,"time":"2026-11-21T17:03:00.250Z","service":"api","color":null,"kind":"exited","reason":null,"message":"m","pid":null}"#
        let withoutKeys = #"{"time":"2026-11-21T17:03:00.250Z","service":"api","kind":"exited","message":"m"}"#
        let expected = SupervisorEvent(time: startedAt, service: "api", kind: .exited, message: "m")
        XCTAssertEqual(try VigilJSON.decoder().decode(SupervisorEvent.self, from: Data(withNulls.utf8)), expected)
        XCTAssertEqual(try VigilJSON.decoder().decode(SupervisorEvent.self, from: Data(withoutKeys.utf8)), expected)

        let instance = #"{"color":"default","state":"stopped","ready":false,"restarts":0}"#
        let decoded = try VigilJSON.decoder().decode(InstanceStatus.self, from: Data(instance.utf8))
        XCTAssertEqual(decoded, InstanceStatus(color: "default", pid: nil, state: "stopped", ready: false, restarts: 0, rssBytes: nil, cpuSeconds: nil, startedAt: nil))
        let service = #"{"name":"web","state":"stopped","instances":[]}"#
        XCTAssertEqual(
            try VigilJSON.decoder().decode(ServiceStatus.self, from: Data(service.utf8)),
            ServiceStatus(name: "web", state: "stopped", activeColor: nil, revision: nil, version: nil, instances: [], rollout: nil)
        )
        XCTAssertThrowsError(try VigilJSON.decoder().decode(SupervisorEvent.self, from: Data(#"{"id":"seven","time":"2026-11-21T17:03:00Z","service":"a","kind":"exited","message":"m"}"#.utf8)),
                             "a present value of the wrong type is still an error")
    }
}
