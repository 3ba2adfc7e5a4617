import Foundation
import GRDB

extension StateStore {
    /// Appends `events` in one transaction, in order.
    ///
    /// Times are kept to the millisecond. Returns the events as stored: ids assigned, times rounded.
    @discardableResult
    public func append(_ events: [SupervisorEvent]) throws -> [SupervisorEvent] {
        if events.isEmpty { return [] }
        return try write("write events to") { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO event (time, service, color, kind, reason, message, pid) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            return try events.map { event in
                var stored = event
                let ms = Self.milliseconds(event.time)
                stored.time = Self.date(milliseconds: ms)
                try insert.execute(arguments: [ms, event.service, event.color, event.kind.rawValue, event.reason, event.message, event.pid])
                stored.id = db.lastInsertedRowID
                return stored
            }
        }
    }

    /// Events oldest first, after the event `id` (a cursor for followers), at or after `time`,
    /// of one `service`; at most `limit`.
    public func events(after id: Int64? = nil, since time: Date? = nil, service: String? = nil, limit: Int = 500) throws -> [SupervisorEvent] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let id {
            conditions.append("id > ?")
            arguments += [id]
        }
        if let time {
            conditions.append("time >= ?")
            arguments += [Self.milliseconds(time)]
        }
        if let service {
            conditions.append("service = ?")
            arguments += [service]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [limit]
        return try read("read events from") { db in
            try Self.decode(Row.fetchAll(db, sql: "SELECT * FROM event \(filter) ORDER BY id LIMIT ?", arguments: arguments))
        }
    }

    /// The newest `limit` events (of one `service`, or all), returned oldest first for display.
    public func latestEvents(service: String?, limit: Int) throws -> [SupervisorEvent] {
        try read("read events from") { db in
            let rows: [Row]
            if let service {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM event WHERE service = ? ORDER BY id DESC LIMIT ?", arguments: [service, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM event ORDER BY id DESC LIMIT ?", arguments: [limit])
            }
            return Self.decode(rows.reversed())
        }
    }

    /// Deletes all but the newest `n` events (retention).
    public func pruneEvents(keepingLast n: Int) throws {
        try write("prune events in") { db in
            try db.execute(sql: """
                DELETE FROM event WHERE id <= (SELECT id FROM event ORDER BY id DESC LIMIT 1 OFFSET ?)
                """, arguments: [max(0, n)])
        }
    }

    /// Rows of a kind this version does not know (written by a newer Vigil) are left out.
    private static func decode(_ rows: [Row]) -> [SupervisorEvent] {
        rows.compactMap { row in
            guard let kind = EventKind(rawValue: row["kind"]) else { return nil }
            return SupervisorEvent(id: row["id"], time: date(milliseconds: row["time"]), service: row["service"],
                                   color: row["color"], kind: kind, reason: row["reason"], message: row["message"], pid: row["pid"])
        }
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
