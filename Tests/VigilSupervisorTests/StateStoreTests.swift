import Foundation
import GRDB
import VigilTestKit
import XCTest
@testable import VigilSupervisor

/// StateStore and EventLog on real SQLite files in temp directories.
final class StateStoreTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: String { temporary.path }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory()
    }

    override func tearDown() {
        temporary.remove()
    }

    private func event(_ service: String, _ message: String, at time: Date = Date(), kind: EventKind = .restarted) -> SupervisorEvent {
        SupervisorEvent(time: time, service: service, color: nil, kind: kind, reason: "exit", message: message, pid: 42)
    }

    // MARK: - StateStore

    func testOpenCreatesParentDirectoriesInWALMode() throws {
        let path = directory + "/nested/state/vigil.db"
        let store = try StateStore(path: path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        let mode = try store.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
    }

    func testAppendAssignsIdsAndQueriesFilterOldestFirst() throws {
        let store = try StateStore(path: directory + "/vigil.db")
        let base = Date(timeIntervalSince1970: 1_800_000_000.123456)
        let stored = try store.append([
            event("api", "one", at: base),
            event("web", "two", at: base.addingTimeInterval(1)),
            event("api", "three", at: base.addingTimeInterval(2)),
        ])
        XCTAssertEqual(stored.map(\.message), ["one", "two", "three"])
        let ids = stored.compactMap(\.id)
        XCTAssertEqual(ids.count, 3)
        XCTAssertEqual(ids, ids.sorted())
        XCTAssertEqual(stored[0].time.timeIntervalSince1970, 1_800_000_000.123, accuracy: 0.0000001, "times keep milliseconds")

        XCTAssertEqual(try store.events(), stored)
        XCTAssertEqual(try store.events(after: ids[0]).map(\.message), ["two", "three"])
        XCTAssertEqual(try store.events(service: "api").map(\.message), ["one", "three"])
        XCTAssertEqual(try store.events(since: base.addingTimeInterval(1)).map(\.message), ["two", "three"])
        XCTAssertEqual(try store.events(limit: 1).map(\.message), ["one"])
        XCTAssertEqual(try store.events(after: ids[0], service: "api").map(\.message), ["three"])
    }

    func testLatestEventsAreTheNewestOldestFirst() throws {
        let store = try StateStore(path: directory + "/vigil.db")
        try store.append((1...10).map { event($0 % 2 == 0 ? "even" : "odd", "\($0)") })
        XCTAssertEqual(try store.latestEvents(service: nil, limit: 3).map(\.message), ["8", "9", "10"])
        XCTAssertEqual(try store.latestEvents(service: "odd", limit: 2).map(\.message), ["7", "9"])
    }

    func testPruneKeepsTheNewest() throws {
        let store = try StateStore(path: directory + "/vigil.db")
        try store.append((1...20).map { event("api", "\($0)") })
        try store.pruneEvents(keepingLast: 5)
        XCTAssertEqual(try store.events().map(\.message), ["16", "17", "18", "19", "20"])
    }

    func testInstancesUpsertReplaceAndRemove() throws {
        let store = try StateStore(path: directory + "/vigil.db")
        let spawned = Date(timeIntervalSince1970: 1_800_000_000.5)
        try store.upsertInstance(InstanceRecord(service: "api", color: "blue", pid: 100, startTime: 123_456, spawnedAt: spawned))
        try store.upsertInstance(InstanceRecord(service: "api", color: "blue", pid: 200, pgid: 200, startTime: UInt64.max - 1, spawnedAt: spawned))
        try store.upsertInstance(InstanceRecord(service: "web", pid: 300, startTime: 7, spawnedAt: spawned))
        XCTAssertEqual(try store.instances(), [
            InstanceRecord(service: "api", color: "blue", pid: 200, pgid: 200, startTime: UInt64.max - 1, spawnedAt: spawned),
            InstanceRecord(service: "web", color: "default", pid: 300, pgid: 300, startTime: 7, spawnedAt: spawned),
        ])
        try store.removeInstance(service: "api", color: "blue")
        XCTAssertEqual(try store.instances().map(\.service), ["web"])
    }

    func testReopeningKeepsInstancesForLeftoverDetection() throws {
        let path = directory + "/vigil.db"
        do {
            let first = try StateStore(path: path)
            try first.upsertInstance(InstanceRecord(service: "api", pid: 4242, startTime: 99))
            try first.append([event("api", "spawned")])
        }
        let second = try StateStore(path: path)
        XCTAssertEqual(try second.instances().map(\.pid), [4242])
        XCTAssertEqual(try second.events().map(\.message), ["spawned"])
    }

    func testAFileThatIsNotADatabaseGetsAClearError() throws {
        let path = directory + "/vigil.db"
        try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try StateStore(path: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("\(path) is not a Vigil state database"), text)
            XCTAssertTrue(text.contains("stateDir"), text)
        }
    }

    func testAStateDirThatIsAFileGetsAClearError() throws {
        let blocker = directory + "/blocker"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        XCTAssertThrowsError(try StateStore(path: blocker + "/vigil.db")) { error in
            XCTAssertTrue("\(error)".contains("cannot create the state directory \(blocker)"), "\(error)")
        }
    }

    // MARK: - EventLog

    func testRecordReachesDiskSubscribersAndMemoryInOrder() throws {
        let store = try StateStore(path: directory + "/vigil.db")
        let log = EventLog(store: store)
        defer { log.close() }
        let received = Locked<[SupervisorEvent]>([])
        _ = log.subscribe { event in received.mutate { $0.append(event) } }

        for i in 1...5 { log.record(event("api", "\(i)")) }
        XCTAssertTrue(poll { (try? store.events().count) == 5 }, "the flusher writes without an explicit flush")
        XCTAssertTrue(poll { received.value.count == 5 })
        XCTAssertEqual(received.value.map(\.message), ["1", "2", "3", "4", "5"])
        XCTAssertTrue(received.value.allSatisfy { $0.id != nil }, "subscribers see stored ids")
        XCTAssertEqual(log.recent(limit: 2).map(\.message), ["4", "5"])
        XCTAssertEqual(log.recent(service: "web"), [])
    }

    func testFlushIsSynchronousAndUnsubscribeStopsDelivery() throws {
        let store = try StateStore(path: directory + "/vigil.db")
        let log = EventLog(store: store, configuration: .init(flushInterval: .seconds(60)))
        defer { log.close() }
        let count = Locked(0)
        let token = log.subscribe { _ in count.mutate { $0 += 1 } }
        log.record(event("api", "first"))
        log.flush()
        XCTAssertEqual(try store.events().map(\.message), ["first"])
        XCTAssertEqual(count.value, 1)

        log.unsubscribe(token)
        log.record(event("api", "second"))
        log.flush()
        XCTAssertEqual(try store.events().count, 2)
        XCTAssertEqual(count.value, 1)
    }

    func testConcurrentRecordersKeepEveryEventAndTheirOrder() throws {
        let store = try StateStore(path: directory + "/vigil.db")
        let log = EventLog(store: store)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in 0..<250 { log.record(event("svc\(thread)", "\(i)")) }
        }
        log.close()
        let all = try store.events(limit: 10_000)
        XCTAssertEqual(all.count, 2000)
        XCTAssertEqual(Set(all.compactMap(\.id)).count, 2000)
        for thread in 0..<8 {
            XCTAssertEqual(all.filter { $0.service == "svc\(thread)" }.map(\.message), (0..<250).map(String.init))
        }
    }

    func testRecordAfterCloseIsStillWritten() throws {
        let store = try StateStore(path: directory + "/vigil.db")
        let log = EventLog(store: store)
        log.close()
        log.record(event("vigil", "late", kind: .supervisorStopping))
        XCTAssertEqual(try store.events().map(\.message), ["late"])
    }

    func testRetentionPrunesOldEvents() throws {
        let store = try StateStore(path: directory + "/vigil.db")
        let log = EventLog(store: store, configuration: .init(retainedEvents: 100))
        for i in 0..<1500 { log.record(event("api", "\(i)")) }
        log.close()
        let remaining = try store.events(limit: 10_000)
        XCTAssertLessThanOrEqual(remaining.count, 600)
        XCTAssertEqual(remaining.last?.message, "1499", "the newest events survive")
    }

    /// Prints what recording costs the caller and how fast batches reach disk.
    func testRecordingTenThousandEvents() throws {
        let store = try StateStore(path: directory + "/vigil.db")
        let log = EventLog(store: store)
        let started = Date()
        for i in 0..<10_000 { log.record(event("api", "\(i)")) }
        let recording = Date().timeIntervalSince(started)
        log.flush()
        let total = Date().timeIntervalSince(started)
        log.close()
        XCTAssertEqual(try store.events(after: 0, limit: 20_000).count, 10_000)
        print(String(format: "eventlog-bench: record %.1f µs/event on the caller, %.1f µs/event until on disk",
                     recording / 10_000 * 1e6, total / 10_000 * 1e6))
    }

    // MARK: - JSON

    func testEventJSONUsesISODatesWithMilliseconds() throws {
        let original = SupervisorEvent(id: 7, time: Date(timeIntervalSince1970: 1_795_000_000.123), service: "api", kind: .probeFailed, message: "GET /: status 500")
        let data = try VigilJSON.encoder().encode(original)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"time\":\"2026-11-18T11:06:40.123Z\""), text)
        XCTAssertTrue(text.contains(".123Z\""), text)
        XCTAssertTrue(text.contains("\"kind\":\"probe_failed\""), text)
        let decoded = try VigilJSON.decoder().decode(SupervisorEvent.self, from: data)
        XCTAssertEqual(decoded.time.timeIntervalSince1970, original.time.timeIntervalSince1970, accuracy: 0.001)
        XCTAssertEqual(decoded.message, original.message)
        XCTAssertEqual(VigilJSON.format(Date(timeIntervalSince1970: 0.005)), "1970-01-01T00:00:00.005Z")
        let plain = try VigilJSON.decoder().decode([String: Date].self, from: Data(#"{"t":"2026-11-21T17:03:00Z"}"#.utf8))
        XCTAssertEqual(plain["t"]?.timeIntervalSince1970, 1_795_280_580)
    }
}

/// A value shared with callbacks on other threads.
private final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
