import Foundation
import GRDB

/// The aggregate figures behind `GET /api/analytics`.
public struct ThreatAnalytics: Sendable, Codable, Hashable {
    public var totalThreats: Int64
    public var storedThreats: Int
    public var customersAffected: Int
    public var averageProcessingTimeMs: Double
    public var threatsRequiringReview: Int
    public var threatsByType: [String: Int]
    public var threatsBySeverity: [String: Int]
    /// Stored analyses per status (`analyzed` until an analyst gives a verdict).
    public var threatsByStatus: [String: Int]
    /// Share of analyst verdicts that were `false_positive`; absent before the first verdict.
    public var falsePositiveRate: Double?
    /// Analyses per severity over the last hour, for the dashboard's chart.
    public var severityOverTime: SeverityTimeline

    enum CodingKeys: String, CodingKey {
        case totalThreats = "total_threats"
        case storedThreats = "stored_threats"
        case customersAffected = "customers_affected"
        case averageProcessingTimeMs = "average_processing_time_ms"
        case threatsRequiringReview = "threats_requiring_review"
        case threatsByType = "threats_by_type"
        case threatsBySeverity = "threats_by_severity"
        case threatsByStatus = "threats_by_status"
        case falsePositiveRate = "false_positive_rate"
        case severityOverTime = "severity_over_time"
    }
}

/// Every query suspends the caller while GRDB runs it on its own reader/writer queue: the routes
/// call these from the cooperative pool, which a blocking SQLite read would stall.
extension ThreatStore {
    /// The stored JSON of one analysis, or nil when the id is unknown.
    public func body(id: String) async throws -> Data? {
        try await pool.read { db in try Data.fetchOne(db, sql: "SELECT body FROM threats WHERE uuid = ?", arguments: [id]) }
    }

    /// Stored analyses as JSON, newest first.
    public func bodies(limit: Int, offset: Int) async throws -> [Data] {
        try await pool.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM threats ORDER BY id DESC LIMIT ? OFFSET ?", arguments: [limit, offset])
        }
    }

    /// Records an analyst's verdict and returns the updated analysis, or nil when the id is unknown.
    public func setVerdict(id: String, status: ThreatStatus, note: String?, at date: Date) async throws -> ThreatAnalysis? {
        let result: (Int64, ThreatAnalysis)? = try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, body FROM threats WHERE uuid = ?", arguments: [id]) else { return nil }
            var analysis = try EngineJSON.decoder.decode(ThreatAnalysis.self, from: row["body"] as Data)
            analysis.status = status
            analysis.analystNote = note
            analysis.verdictAt = date
            let body = analysis.jsonData()
            try db.execute(sql: "UPDATE threats SET status = ?, body = ? WHERE id = ?", arguments: [status.rawValue, body, row["id"] as Int64])
            return (row["id"], analysis)
        }
        guard let (rowID, analysis) = result else { return nil }
        history.setStatus(rowID: rowID, status: status)
        return analysis
    }

    /// Totals over the stored analyses (and the all-time counter); `now` ends the severity timeline.
    public func analytics(now: Date = Date()) async throws -> ThreatAnalytics {
        let total = allTimeTotal
        let timelineStart = SeverityTimeline.start(endingAt: now)
        return try await pool.read { db in
            let summary = try Row.fetchOne(db, sql: """
                SELECT COUNT(*), COUNT(DISTINCT customer_name), COALESCE(AVG(processing_ms), 0),
                       COALESCE(SUM(CASE WHEN requires_review = 1 AND status = 'analyzed' THEN 1 ELSE 0 END), 0)
                FROM threats
                """)!
            var byType: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT threat_type, COUNT(*) FROM threats GROUP BY threat_type") {
                byType[row[0]] = row[1]
            }
            var bySeverity: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT severity, COUNT(*) FROM threats GROUP BY severity") {
                bySeverity[row[0]] = row[1]
            }
            var byStatus: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM threats GROUP BY status") {
                byStatus[row[0]] = row[1]
            }
            var timeline = SeverityTimeline(start: timelineStart)
            let recent = try Row.fetchAll(db, sql: """
                SELECT CAST((created_at - ?) / ? AS INTEGER), severity, COUNT(*) FROM threats
                WHERE created_at >= ? GROUP BY 1, 2
                """, arguments: [timelineStart.timeIntervalSince1970, SeverityTimeline.bucketSeconds, timelineStart.timeIntervalSince1970])
            for row in recent { timeline.add(bucket: row[0], severity: row[1], count: row[2]) }
            let verdicts = ThreatStatus.verdicts.reduce(0) { $0 + (byStatus[$1.rawValue] ?? 0) }
            return ThreatAnalytics(
                totalThreats: total, storedThreats: summary[0], customersAffected: summary[1],
                averageProcessingTimeMs: summary[2], threatsRequiringReview: summary[3],
                threatsByType: byType, threatsBySeverity: bySeverity, threatsByStatus: byStatus,
                falsePositiveRate: verdicts == 0 ? nil : Double(byStatus[ThreatStatus.falsePositive.rawValue] ?? 0) / Double(verdicts),
                severityOverTime: timeline)
        }
    }

    /// Stored analyses flagged for human review that have no analyst verdict yet.
    public func pendingReviewCount() async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM threats WHERE requires_review = 1 AND status = 'analyzed'") ?? 0
        }
    }

    /// Nil when the database answers a query; otherwise why not, for `/ready`.
    public func unusableReason() async -> String? {
        do {
            _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
            return nil
        } catch {
            return "threat store \(path) does not answer: \(error)"
        }
    }
}
