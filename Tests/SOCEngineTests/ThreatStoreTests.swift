import Foundation
@testable import SOCEngine
import VigilTestKit
import XCTest

final class ThreatStoreTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory(prefix: "soc") }
    override func tearDown() { directory.remove() }

    private func analyses(_ count: Int, seed: UInt64 = 3) async throws -> [ThreatAnalysis] {
        let knowledge = try EngineKnowledge.embedded()
        let engine = ThreatCoordinator(knowledge: knowledge, history: HistoryIndex(), agents: ThreatCoordinator.standardAgents(events: nil))
        let generator = ThreatGenerator(knowledge: knowledge, seed: seed)
        var result: [ThreatAnalysis] = []
        for _ in 0..<count { result.append(await engine.analyze(generator.signal())) }
        return result
    }

    func testRetentionKeepsTheNewestAndCountsAllTime() async throws {
        let path = directory.appending("r.db")
        let store = try ThreatStore(path: path, maxStored: 5)
        let items = try await analyses(12)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for item in items { group.addTask { try await store.insert(item, body: try EngineJSON.encode(item)) } }
            try await group.waitForAll()
        }
        XCTAssertEqual(store.count, 5)
        XCTAssertEqual(store.allTimeTotal, 12)
        XCTAssertEqual(store.history.count, 5)
        let kept = try await store.bodies(limit: 100, offset: 0)
        XCTAssertEqual(kept.count, 5)
        let analytics = try await store.analytics()
        XCTAssertEqual(analytics.totalThreats, 12)
        XCTAssertEqual(analytics.storedThreats, 5)
        XCTAssertEqual(analytics.threatsByType.values.reduce(0, +), 5)
        let pending = try await store.pendingReviewCount()
        XCTAssertEqual(pending, analytics.threatsRequiringReview, "the indexed count agrees with the full-table figure")
    }

    func testReopeningKeepsThreatsVerdictsAndHistory() async throws {
        let path = directory.appending("p.db")
        let items = try await analyses(3)
        do {
            let store = try ThreatStore(path: path, maxStored: 100)
            for item in items { try await store.insert(item, body: try EngineJSON.encode(item)) }
            let updated = try await store.setVerdict(id: items[0].id, status: .falsePositive, note: "scanner we run", at: Date())
            XCTAssertNotNil(updated)
        }
        let reopened = try ThreatStore(path: path, maxStored: 100)
        XCTAssertEqual(reopened.count, 3)
        XCTAssertEqual(reopened.allTimeTotal, 3)
        let reopenedBody = try await reopened.body(id: items[0].id)
        let body = try XCTUnwrap(reopenedBody)
        let stored = try EngineJSON.decoder.decode(ThreatAnalysis.self, from: body)
        XCTAssertEqual(stored.status, .falsePositive)
        XCTAssertEqual(stored.analystNote, "scanner we run")
        let signal = items[0].signal
        let evidence = Evidence(metadata: signal.metadata)
        let stats = reopened.history.similar(threatType: signal.threatType.rawValue, customer: signal.customerName, sourceIP: evidence.sourceIP,
                                             subnet: evidence.subnet, at: signal.timestamp, window: 3600)
        XCTAssertEqual(stats.falsePositiveVerdicts, 1, "the verdict is part of the history after a restart")
        let unknownBody = try await reopened.body(id: "no-such-id")
        XCTAssertNil(unknownBody)
        let unknownVerdict = try await reopened.setVerdict(id: "no-such-id", status: .resolved, note: nil, at: Date())
        XCTAssertNil(unknownVerdict)
    }

    func testHistoryIndexCountsWithinTheWindowAndDeduplicates() {
        let index = HistoryIndex()
        let t = Date(timeIntervalSince1970: 1_795_000_000)
        index.insert([
            .init(rowID: 1, threatType: "bot_traffic", customer: "a", sourceIP: "1.2.3.4", subnet: "1.2.3.0/24", signalTime: t, status: .falsePositive),
            .init(rowID: 2, threatType: "geo_anomaly", customer: "b", sourceIP: "1.2.3.4", subnet: "1.2.3.0/24", signalTime: t, status: .escalated),
            .init(rowID: 3, threatType: "geo_anomaly", customer: "b", sourceIP: "1.2.3.9", subnet: "1.2.3.0/24", signalTime: t, status: .analyzed),
            .init(rowID: 4, threatType: "bot_traffic", customer: "a", sourceIP: "9.9.9.9", subnet: "9.9.9.0/24", signalTime: t.addingTimeInterval(-40 * 86400), status: .falsePositive),
        ])
        let stats = index.similar(threatType: "bot_traffic", customer: "a", sourceIP: "1.2.3.4", subnet: "1.2.3.0/24", at: t.addingTimeInterval(60), window: 30 * 86400)
        XCTAssertEqual(stats.sameTypeAndCustomer, 1)
        XCTAssertEqual(stats.sameSourceIP, 2)
        XCTAssertEqual(stats.sameSubnet, 3)
        XCTAssertEqual(stats.similarTotal, 3)
        XCTAssertEqual(stats.falsePositiveVerdicts, 1)
        XCTAssertEqual(stats.escalatedVerdicts, 1)
        index.setStatus(rowID: 3, status: .resolved)
        index.removeThrough(rowID: 1)
        let after = index.similar(threatType: "bot_traffic", customer: "a", sourceIP: "1.2.3.4", subnet: "1.2.3.0/24", at: t.addingTimeInterval(60), window: 30 * 86400)
        XCTAssertEqual(after.similarTotal, 2)
        XCTAssertEqual(after.resolvedVerdicts, 1)
        XCTAssertEqual(after.falsePositiveVerdicts, 0)
    }
}
