import Foundation
import GRDB
import VigilManifest
import VigilSupervisor

/// Revisions, what each blue-green service serves, and its rollouts, in `vigil.db` (tables
/// `revision`, `deployment`, `rollout`; migration `v2-rollouts` of ``StateStore``).
///
/// Synchronous and callable from any thread. ``persist(_:)`` writes a ``DeploymentRecord`` and its
/// rollout in one transaction: the rollout controller calls it before every step takes effect,
/// and a restarted Vigil reads the same record back with ``deployment(service:)``.
public final class RolloutStore: Sendable {
    let store: StateStore

    public init(store: StateStore) {
        self.store = store
    }

    // MARK: - Revisions

    /// Remembers a revision (once: the same id is the same content).
    public func save(_ revision: Revision, at date: Date = Date()) throws {
        let spec = String(decoding: try JSONEncoder().encode(revision.spec), as: UTF8.self)
        let env = String(decoding: try JSONEncoder().encode(revision.request.env), as: UTF8.self)
        try store.write("record a revision in") { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO revision (service, id, version, release, env, spec, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [revision.service, revision.id, revision.request.version, revision.request.release, env, spec, Self.milliseconds(date)])
        }
    }

    public func revision(service: String, id: String) throws -> Revision? {
        try store.read("read a revision from") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM revision WHERE service = ? AND id = ?", arguments: [service, id]).map(Self.revision)
        }
    }

    /// Every revision of the service, newest first, as shown to people: the values of secret
    /// `--env` variables (``SecretRedaction``) are `***`.
    public func revisions(service: String) throws -> [StoredRevision] {
        try store.read("read revisions from") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM revision WHERE service = ? ORDER BY createdAt DESC, rowid DESC", arguments: [service]).map { row in
                let revision = try Self.revision(row)
                return StoredRevision(id: revision.id, version: revision.version, release: revision.request.release,
                                      env: SecretRedaction.redact(revision.request.env), createdAt: Self.date(row["createdAt"]))
            }
        }
    }

    private static func revision(_ row: Row) throws -> Revision {
        let spec = try JSONDecoder().decode(ServiceSpec.self, from: Data((row["spec"] as String).utf8))
        let env = try JSONDecoder().decode([String: String].self, from: Data((row["env"] as String).utf8))
        return Revision(recordedID: row["id"], spec: spec, request: RevisionRequest(version: row["version"], release: row["release"], env: env))
    }

    // MARK: - Deployment and rollouts

    /// Writes what the service serves and its current rollout, in one transaction.
    public func persist(_ record: DeploymentRecord) throws {
        try store.write("record a rollout step in") { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO deployment (service, activeColor, activeRevision, previousRevision, rolloutId, updatedAt)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [record.service, record.activeColor.rawValue, record.activeRevision, record.previousRevision,
                                 record.rollout?.id, Self.milliseconds(record.rollout?.updatedAt ?? Date())])
            guard let r = record.rollout else { return }
            let weights = String(decoding: try JSONEncoder.sorted.encode(r.weights), as: UTF8.self)
            try db.execute(sql: """
                INSERT OR REPLACE INTO rollout (id, service, trigger, revision, previousRevision, fromColor, toColor, phase, step,
                    weights, fast, promoteRequested, startedAt, updatedAt, finishedAt, result, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [r.id, r.service, r.trigger.rawValue, r.revision, r.previousRevision, r.from.rawValue, r.to.rawValue,
                                 r.phase.rawValue, r.step, weights, r.fast, r.promoteRequested, Self.milliseconds(r.startedAt),
                                 Self.milliseconds(r.updatedAt), r.finishedAt.map(Self.milliseconds), r.result?.rawValue, r.reason])
        }
    }

    /// The last record of the service, with its current or last rollout; nil before its first start.
    public func deployment(service: String) throws -> DeploymentRecord? {
        try store.read("read the deployment of \(service) from") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM deployment WHERE service = ?", arguments: [service]) else { return nil }
            let rollout = try (row["rolloutId"] as String?).flatMap { id in
                try Row.fetchOne(db, sql: "SELECT * FROM rollout WHERE id = ?", arguments: [id]).map(Self.rollout)
            }
            return DeploymentRecord(
                service: service, activeColor: try Self.color(row["activeColor"]), activeRevision: row["activeRevision"],
                previousRevision: row["previousRevision"], rollout: rollout
            )
        }
    }

    /// The service's rollouts, newest first.
    public func rollouts(service: String, limit: Int = 50) throws -> [RolloutRecord] {
        try store.read("read rollouts from") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM rollout WHERE service = ? ORDER BY startedAt DESC, rowid DESC LIMIT ?", arguments: [service, limit])
                .map(Self.rollout)
        }
    }

    private static func rollout(_ row: Row) throws -> RolloutRecord {
        let weights = try JSONDecoder().decode([Color: Int].self, from: Data((row["weights"] as String).utf8))
        func value<T: RawRepresentable<String>>(_ column: String, _: T.Type) throws -> T {
            let raw: String = row[column]
            guard let value = T(rawValue: raw) else { throw StateStoreError("unknown \(column) '\(raw)' in the rollout table; was vigil.db written by a newer Vigil?") }
            return value
        }
        return RolloutRecord(
            id: row["id"], service: row["service"], trigger: try value("trigger", RolloutTrigger.self),
            revision: row["revision"], previousRevision: row["previousRevision"],
            from: try value("fromColor", Color.self), to: try value("toColor", Color.self),
            phase: try value("phase", RolloutPhase.self), step: row["step"], weights: weights, fast: row["fast"],
            promoteRequested: row["promoteRequested"], startedAt: date(row["startedAt"]), updatedAt: date(row["updatedAt"]),
            finishedAt: (row["finishedAt"] as Int64?).map(date), result: try (row["result"] as String?).map { raw in
                guard let result = RolloutResult(rawValue: raw) else { throw StateStoreError("unknown result '\(raw)' in the rollout table") }
                return result
            },
            reason: row["reason"]
        )
    }

    private static func color(_ raw: String) throws -> Color {
        guard let color = Color(rawValue: raw) else { throw StateStoreError("unknown color '\(raw)' in the deployment table") }
        return color
    }

    // MARK: - Plumbing

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

/// A revision as `vigil history` lists it.
public struct StoredRevision: Sendable, Equatable, Codable {
    public var id: String
    public var version: String?
    public var release: String?
    public var env: [String: String]
    public var createdAt: Date
}

extension JSONEncoder {
    /// Keys sorted, for stable text in the database.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
