import Foundation
import GRDB
import VigilManifest
import VigilSupervisor
import VigilTestKit
import XCTest

@testable import VigilDeploy

/// The rollout tables on a real `vigil.db`.
final class RolloutStoreTests: XCTestCase {
    var directory: TemporaryDirectory!
    var path: String { directory.appending("vigil.db") }

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "rs")
    }

    override func tearDown() {
        directory.remove()
    }

    func testTheMigrationAddsTheTablesBesideV1() throws {
        let store = try StateStore(path: path)
        let tables = try store.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["event", "instance", "revision", "deployment", "rollout"] {
            XCTAssertTrue(tables.contains(table), "\(table) missing from \(tables)")
        }
        let applied = try store.database.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        XCTAssertEqual(Array(applied.prefix(2)), ["v1", "v2-rollouts"], "later migrations (v4-control ...) come after")
    }

    func testRevisionsRoundTripWithTheirSpec() throws {
        let store = RolloutStore(store: try StateStore(path: path))
        var spec = RevisionTests.spec(releases: ReleasesSpec(dir: "/opt/api"))
        spec.deploy?.steps = [.setWeight(10), .pause(nil)]
        let revision = try Revision(spec: spec, request: .init(version: "v2", release: "b7", env: ["LOG": "debug"]))
        try store.save(revision, at: Date(timeIntervalSince1970: 1_800_000_000))
        try store.save(revision, at: Date(timeIntervalSince1970: 1_800_000_500))
        let read = try XCTUnwrap(try store.revision(service: "api", id: revision.id))
        XCTAssertEqual(read, revision)
        XCTAssertEqual(read.effectiveSpec, revision.effectiveSpec)
        let listed = try store.revisions(service: "api")
        XCTAssertEqual(listed.map(\.id), [revision.id], "saving the same revision again keeps one row")
        XCTAssertEqual(listed.first?.createdAt, Date(timeIntervalSince1970: 1_800_000_000))
        XCTAssertNil(try store.revision(service: "other", id: revision.id))
    }

    func testTheLastRecordSurvivesReopeningTheDatabase() throws {
        let started = Date(timeIntervalSince1970: 1_800_000_000)
        var rollout = RolloutRecord(
            id: "ro-12345678", service: "api", trigger: .deploy, revision: "r-new", previousRevision: "r-old",
            from: .blue, to: .green, phase: .shifting, step: 2, weights: [.green: 10, .blue: 90], startedAt: started
        )
        do {
            let store = RolloutStore(store: try StateStore(path: path))
            XCTAssertNil(try store.deployment(service: "api"))
            try store.persist(DeploymentRecord(service: "api", activeColor: .blue, activeRevision: "r-old", previousRevision: "r-older", rollout: rollout))
        }
        let reopened = RolloutStore(store: try StateStore(path: path))
        let record = try XCTUnwrap(try reopened.deployment(service: "api"))
        XCTAssertEqual(record.activeColor, .blue)
        XCTAssertEqual(record.activeRevision, "r-old")
        XCTAssertEqual(record.previousRevision, "r-older")
        XCTAssertEqual(record.rollout, rollout)

        rollout.phase = .rolledBack
        rollout.result = .rolledBack
        rollout.reason = "analysis failed: error rate 20% > 1%"
        rollout.finishedAt = started.addingTimeInterval(40)
        try reopened.persist(DeploymentRecord(service: "api", activeColor: .blue, activeRevision: "r-old", rollout: rollout))
        XCTAssertEqual(try reopened.deployment(service: "api")?.rollout, rollout, "the same rollout row is rewritten")
        XCTAssertEqual(try reopened.rollouts(service: "api").count, 1)
    }

    func testHistoryListsRolloutsNewestFirst() throws {
        let store = RolloutStore(store: try StateStore(path: path))
        for (index, id) in ["ro-a", "ro-b", "ro-c"].enumerated() {
            let rollout = RolloutRecord(
                id: id, service: "api", trigger: .deploy, revision: "r-\(index)", previousRevision: "r-x",
                from: .blue, to: .green, phase: .completed, startedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(index))
            )
            try store.persist(DeploymentRecord(service: "api", activeColor: .green, activeRevision: "r-\(index)", rollout: rollout))
        }
        XCTAssertEqual(try store.rollouts(service: "api").map(\.id), ["ro-c", "ro-b", "ro-a"])
        XCTAssertEqual(try store.rollouts(service: "api", limit: 1).map(\.id), ["ro-c"])
    }

    func testARecordFromTheMachineResumesTheMachine() throws {
        var h = RolloutHarness.active()
        h.deploy()
        h.ready()
        let store = RolloutStore(store: try StateStore(path: path))
        for case .persist(let record) in h.history.flatMap({ $0 }) { try store.persist(record) }
        let recorded = try XCTUnwrap(try store.deployment(service: "api"))
        XCTAssertEqual(recorded.rollout?.phase, .analyzing)

        var resumed = RolloutStateMachine(service: "api")
        let actions = resumed.handle(.restore(recorded, plan: RolloutHarness.blueGreen), at: Date())
        XCTAssertTrue(actions.contains(.startColor(.blue, revision: "r-old")))
        XCTAssertTrue(actions.contains(.startColor(.green, revision: "r-new")))
        XCTAssertEqual(resumed.rollout?.phase, .starting)
    }
}
