import Foundation
import GRDB

/// Where analyses live: SQLite (WAL) through GRDB, plus the in-memory ``HistoryIndex`` kept in
/// step with it for the historical agent.
///
/// Promises:
/// - ``insert(_:body:)`` returns only once the analysis is committed. Concurrent inserts are
///   group-committed: one transaction per batch on a dedicated writer queue, so throughput
///   does not pay one commit per request.
/// - At most `maxStored` analyses are kept (oldest dropped first); ``allTimeTotal`` counts every
///   analysis ever stored and survives restarts and retention.
/// - Opening an existing database keeps everything in it: a restarted engine sees its history.
public final class ThreatStore: @unchecked Sendable {
    public let path: String
    public let maxStored: Int
    public let history = HistoryIndex()
    let pool: DatabasePool

    private let writerQueue = DispatchQueue(label: "soc.store.writer")
    private let lock = NSLock()
    private var pending: [(ThreatAnalysis, Data, CheckedContinuation<Void, any Error>)] = []
    private var flushing = false
    private var storedCount = 0
    private var allTime: Int64 = 0

    /// Opens (creating and migrating when needed) the database at `path`.
    public init(path: String, maxStored: Int) throws {
        self.path = path
        self.maxStored = max(1, maxStored)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        // Reads are short (one row, one page of rows, an aggregate): two readers keep memory low.
        configuration.maximumReaderCount = 2
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw EngineDataError(file: path, message: "cannot open the threat database: \(error); check the --db path and its directory permissions")
        }
        try ThreatStore.migrator.migrate(pool)
        try loadState()
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE threats (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    uuid TEXT NOT NULL UNIQUE,
                    threat_type TEXT NOT NULL,
                    customer_name TEXT NOT NULL,
                    source_ip TEXT,
                    subnet TEXT,
                    severity TEXT NOT NULL,
                    status TEXT NOT NULL,
                    signal_time REAL NOT NULL,
                    created_at REAL NOT NULL,
                    requires_review INTEGER NOT NULL,
                    processing_ms REAL NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE INDEX threats_type_customer ON threats(threat_type, customer_name, signal_time);
                CREATE INDEX threats_source_ip ON threats(source_ip, signal_time);
                CREATE INDEX threats_subnet ON threats(subnet, signal_time);
                CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                INSERT INTO counters(name, value) VALUES ('all_time_total', 0);
                """)
        }
        // `/metrics` counts the analyses awaiting review on every scrape: without this index
        // that count read the whole table (tens of ms per 100k stored threats).
        migrator.registerMigration("v2-pending-review") { db in
            try db.execute(sql: "CREATE INDEX threats_pending_review ON threats(id) WHERE requires_review = 1 AND status = 'analyzed'")
        }
        return migrator
    }

    private func loadState() throws {
        let (records, total) = try pool.read { db -> ([HistoryIndex.Record], Int64) in
            var records: [HistoryIndex.Record] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT id, threat_type, customer_name, source_ip, subnet, signal_time, status FROM threats ORDER BY id")
            while let row = try rows.next() {
                records.append(HistoryIndex.Record(
                    rowID: row[0], threatType: row[1], customer: row[2], sourceIP: row[3], subnet: row[4],
                    signalTime: Date(timeIntervalSince1970: row[5]), status: ThreatStatus(rawValue: row[6]) ?? .analyzed))
            }
            let total = try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'all_time_total'") ?? 0
            return (records, total)
        }
        history.insert(records)
        storedCount = records.count
        allTime = total
    }

    /// Every analysis ever stored, including those retention has since dropped.
    public var allTimeTotal: Int64 { lock.withLock { allTime } }

    /// Analyses currently kept.
    public var count: Int { lock.withLock { storedCount } }

    /// Stores an analysis whose JSON encoding is `body`; returns once it is committed.
    public func insert(_ analysis: ThreatAnalysis, body: Data) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start: Bool = lock.withLock {
                pending.append((analysis, body, continuation))
                if flushing { return false }
                flushing = true
                return true
            }
            if start { writerQueue.async { self.flushLoop() } }
        }
    }

    private func flushLoop() {
        while true {
            let batch: [(ThreatAnalysis, Data, CheckedContinuation<Void, any Error>)] = lock.withLock {
                let batch = pending
                pending.removeAll(keepingCapacity: true)
                if batch.isEmpty { flushing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let (records, cutoff, total) = try write(batch.map { ($0.0, $0.1) })
                history.insert(records)
                if let cutoff { history.removeThrough(rowID: cutoff) }
                lock.withLock {
                    allTime = total
                    storedCount = min(storedCount + records.count, maxStored)
                }
                for item in batch { item.2.resume() }
            } catch {
                let failure = EngineDataError(file: path, message: "cannot store the analysis: \(error)")
                for item in batch { item.2.resume(throwing: failure) }
            }
        }
    }

    private func write(_ batch: [(ThreatAnalysis, Data)]) throws -> ([HistoryIndex.Record], Int64?, Int64) {
        let maxStored = self.maxStored
        return try pool.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO threats(uuid, threat_type, customer_name, source_ip, subnet, severity, status,
                                    signal_time, created_at, requires_review, processing_ms, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var records: [HistoryIndex.Record] = []
            records.reserveCapacity(batch.count)
            for (analysis, body) in batch {
                let evidence = Evidence(metadata: analysis.signal.metadata)
                let subnet = evidence.subnet
                try statement.execute(arguments: [
                    analysis.id, analysis.signal.threatType.rawValue, analysis.signal.customerName,
                    evidence.sourceIP, subnet, analysis.severity.rawValue, analysis.status.rawValue,
                    analysis.signal.timestamp.timeIntervalSince1970, analysis.createdAt.timeIntervalSince1970,
                    analysis.requiresHumanReview, analysis.totalProcessingTimeMs, body,
                ])
                records.append(HistoryIndex.Record(
                    rowID: db.lastInsertedRowID, threatType: analysis.signal.threatType.rawValue,
                    customer: analysis.signal.customerName, sourceIP: evidence.sourceIP, subnet: subnet,
                    signalTime: analysis.signal.timestamp, status: analysis.status))
            }
            try db.execute(sql: "UPDATE counters SET value = value + ? WHERE name = 'all_time_total'", arguments: [batch.count])
            let total = try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'all_time_total'") ?? 0
            var cutoff: Int64?
            if let newest = records.last?.rowID {
                let limit = newest - Int64(maxStored)
                if limit > 0, try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM threats WHERE id <= ?)", arguments: [limit]) == true {
                    try db.execute(sql: "DELETE FROM threats WHERE id <= ?", arguments: [limit])
                    cutoff = limit
                }
            }
            return (records, cutoff, total)
        }
    }
}
