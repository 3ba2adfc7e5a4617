import Foundation
import GRDB

extension StateStore {
    /// Appends one record to the audit log; returns it with its id and its time in milliseconds.
    @discardableResult
    public func appendAudit(_ record: AuditRecord) throws -> AuditRecord {
        try write("write the audit log to") { db in
            var stored = record
            let ms = Self.milliseconds(record.time)
            stored.time = Self.date(milliseconds: ms)
            try db.execute(
                sql: """
                    INSERT INTO audit (time, uid, user, service, pid, token, role, method, endpoint, arguments, status, outcome)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    ms, record.uid.map { Int64($0) }, record.user, record.service, record.pid, record.token, record.role,
                    record.method, record.endpoint, record.arguments, record.status, record.outcome,
                ]
            )
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    /// The newest `limit` audit records, oldest first.
    public func auditRecords(limit: Int) throws -> [AuditRecord] {
        try read("read the audit log from") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY id DESC LIMIT ?", arguments: [limit]).reversed().map { row in
                AuditRecord(
                    id: row["id"], time: Self.date(milliseconds: row["time"]), uid: (row["uid"] as Int64?).map { UInt32(clamping: $0) },
                    user: row["user"], service: row["service"], pid: row["pid"], token: row["token"], role: row["role"],
                    method: row["method"], endpoint: row["endpoint"], arguments: row["arguments"],
                    status: row["status"], outcome: row["outcome"]
                )
            }
        }
    }
}
