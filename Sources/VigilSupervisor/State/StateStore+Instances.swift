import GRDB

extension StateStore {
    /// Remembers a spawned instance, replacing the previous one of the same service and color.
    public func upsertInstance(_ r: InstanceRecord) throws {
        try write("record an instance in") { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO instance (service, color, pid, pgid, startTime, spawnedAt, marker) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [r.service, r.color, r.pid, r.pgid, Int64(bitPattern: r.startTime), Self.milliseconds(r.spawnedAt), r.marker])
        }
    }

    /// Forgets an instance once it has exited and been reaped.
    public func removeInstance(service: String, color: String) throws {
        try write("remove an instance from") { db in
            try db.execute(sql: "DELETE FROM instance WHERE service = ? AND color = ?", arguments: [service, color])
        }
    }

    /// Every instance recorded as running, by service and color.
    public func instances() throws -> [InstanceRecord] {
        try read("read instances from") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM instance ORDER BY service, color").map { row in
                InstanceRecord(service: row["service"], color: row["color"], pid: row["pid"], pgid: row["pgid"],
                               startTime: UInt64(bitPattern: row["startTime"] as Int64),
                               spawnedAt: Self.date(milliseconds: row["spawnedAt"]), marker: row["marker"])
            }
        }
    }
}
