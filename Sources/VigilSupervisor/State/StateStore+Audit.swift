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
                    INSERT INTO audit (time, uid, user, service, pid, token, webhook, role, method, endpoint, arguments, status, outcome)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    ms, record.uid.map { Int64($0) }, record.user, record.service, record.pid, record.token, record.webhook, record.role,
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
                    user: row["user"], service: row["service"], pid: row["pid"], token: row["token"], webhook: row["webhook"], role: row["role"],
                    method: row["method"], endpoint: row["endpoint"], arguments: row["arguments"],
                    status: row["status"], outcome: row["outcome"]
                )
            }
        }
    }

    /// Whether webhook `webhook` already had a deploy accepted for delivery `id`.
    public func isDeliveryAccepted(webhook: String, id: String) throws -> Bool {
        try read("read webhook deliveries from") { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM webhook_delivery WHERE webhook = ? AND id = ?", arguments: [webhook, id]) ?? false
        }
    }

    /// Remembers that delivery `id` of `webhook` had its deploy accepted.
    public func rememberDelivery(webhook: String, id: String, at time: Date = Date()) throws {
        try write("write a webhook delivery to") { db in
            try db.execute(sql: "INSERT OR IGNORE INTO webhook_delivery (webhook, id, acceptedAt) VALUES (?, ?, ?)", arguments: [webhook, id, Self.milliseconds(time)])
        }
    }
}
