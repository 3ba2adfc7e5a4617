import Foundation

/// What the store remembers about threats similar to a new signal, over a time window.
public struct HistoryStats: Sendable, Hashable {
    /// Stored threats of the same type for the same customer.
    public var sameTypeAndCustomer = 0
    /// Stored threats from the same source address.
    public var sameSourceIP = 0
    /// Stored threats from the same /24 (IPv4) or /64 (IPv6).
    public var sameSubnet = 0
    /// Distinct threats matching any of the above.
    public var similarTotal = 0
    /// Analyst verdicts on those distinct threats.
    public var falsePositiveVerdicts = 0
    public var resolvedVerdicts = 0
    public var escalatedVerdicts = 0
    /// Signal time of the most recent similar threat.
    public var lastSeen: Date?

    public var verdictTotal: Int { falsePositiveVerdicts + resolvedVerdicts + escalatedVerdicts }

    /// Share of verdicts that were `false_positive`; nil when no analyst has ruled on a similar threat.
    public var falsePositiveRate: Double? {
        verdictTotal == 0 ? nil : Double(falsePositiveVerdicts) / Double(verdictTotal)
    }
}

/// An in-memory index of the stored threats, kept in step with the SQLite store, that answers
/// the historical agent's "similar threats in the last 30 days" in microseconds.
///
/// Entries live in per-key arrays (type+customer, source IP, subnet) in row order, so retention
/// drops a prefix and a query scans only the threats that share a key with the signal.
/// Thread-safe; every call takes one short lock.
public final class HistoryIndex: @unchecked Sendable {
    /// The fields of a stored threat the index needs.
    public struct Record: Sendable {
        public var rowID: Int64
        public var threatType: String
        public var customer: String
        public var sourceIP: String?
        public var subnet: String?
        public var signalTime: Date
        public var status: ThreatStatus
    }

    private struct Entry {
        var rowID: Int64
        var time: Double
        var typeCustomer: Int32
        var ip: Int32
        var status: ThreatStatus
    }

    private struct Keys {
        var typeCustomer: Int32
        var ip: Int32
        var subnet: Int32
    }

    private let lock = NSLock()
    private var interned: [String: Int32] = [:]
    private var buckets: [Int32: [Entry]] = [:]
    private var keysByRow: [Int64: Keys] = [:]
    private var order: [Int64] = []
    private var orderHead = 0

    public init() {}

    public var count: Int { lock.withLock { keysByRow.count } }

    private func intern(_ key: String) -> Int32 {
        if let id = interned[key] { return id }
        let id = Int32(interned.count + 1)
        interned[key] = id
        return id
    }

    private func lookup(_ key: String?) -> Int32 {
        guard let key else { return 0 }
        return interned[key] ?? -1
    }

    /// Adds threats just committed to the store (row ids ascending).
    public func insert(_ records: [Record]) {
        lock.withLock {
            for record in records {
                let keys = Keys(
                    typeCustomer: intern("t|\(record.threatType)|\(record.customer)"),
                    ip: record.sourceIP.map { intern("i|\($0)") } ?? 0,
                    subnet: record.subnet.map { intern("s|\($0)") } ?? 0
                )
                let entry = Entry(rowID: record.rowID, time: record.signalTime.timeIntervalSince1970, typeCustomer: keys.typeCustomer, ip: keys.ip, status: record.status)
                for key in [keys.typeCustomer, keys.ip, keys.subnet] where key != 0 {
                    buckets[key, default: []].append(entry)
                }
                keysByRow[record.rowID] = keys
                order.append(record.rowID)
            }
        }
    }

    /// Records an analyst's verdict.
    public func setStatus(rowID: Int64, status: ThreatStatus) {
        lock.withLock {
            guard let keys = keysByRow[rowID] else { return }
            for key in [keys.typeCustomer, keys.ip, keys.subnet] where key != 0 {
                guard var entries = buckets[key] else { continue }
                var low = 0
                var high = entries.count - 1
                while low <= high {
                    let mid = (low + high) / 2
                    if entries[mid].rowID == rowID {
                        entries[mid].status = status
                        break
                    } else if entries[mid].rowID < rowID {
                        low = mid + 1
                    } else {
                        high = mid - 1
                    }
                }
                buckets[key] = entries
            }
        }
    }

    /// Forgets every threat with a row id up to and including `rowID` (retention).
    public func removeThrough(rowID: Int64) {
        lock.withLock {
            var drop: [Int32: Int] = [:]
            while orderHead < order.count, order[orderHead] <= rowID {
                if let keys = keysByRow.removeValue(forKey: order[orderHead]) {
                    for key in [keys.typeCustomer, keys.ip, keys.subnet] where key != 0 {
                        drop[key, default: 0] += 1
                    }
                }
                orderHead += 1
            }
            for (key, count) in drop {
                buckets[key]?.removeFirst(count)
                if buckets[key]?.isEmpty == true { buckets[key] = nil }
            }
            if orderHead > 4096, orderHead * 2 > order.count {
                order.removeFirst(orderHead)
                orderHead = 0
            }
        }
    }

    /// Similar threats whose signal time lies within `window` before `time` (and up to `time`).
    public func similar(threatType: String, customer: String, sourceIP: String?, subnet: String?, at time: Date, window: TimeInterval) -> HistoryStats {
        let end = time.timeIntervalSince1970
        let start = end - window
        return lock.withLock {
            var stats = HistoryStats()
            var latest = -Double.infinity
            let typeKey = lookup("t|\(threatType)|\(customer)")
            let ipKey = sourceIP == nil ? 0 : lookup("i|\(sourceIP!)")
            let subnetKey = subnet == nil ? 0 : lookup("s|\(subnet!)")
            func tally(_ entry: Entry) {
                stats.similarTotal += 1
                latest = max(latest, entry.time)
                switch entry.status {
                case .falsePositive: stats.falsePositiveVerdicts += 1
                case .resolved: stats.resolvedVerdicts += 1
                case .escalated: stats.escalatedVerdicts += 1
                case .analyzed: break
                }
            }
            if typeKey > 0, let entries = buckets[typeKey] {
                for entry in entries where entry.time >= start && entry.time <= end {
                    stats.sameTypeAndCustomer += 1
                    tally(entry)
                }
            }
            if ipKey > 0, let entries = buckets[ipKey] {
                for entry in entries where entry.time >= start && entry.time <= end {
                    stats.sameSourceIP += 1
                    if entry.typeCustomer != typeKey { tally(entry) }
                }
            }
            if subnetKey > 0, let entries = buckets[subnetKey] {
                for entry in entries where entry.time >= start && entry.time <= end {
                    stats.sameSubnet += 1
                    if entry.typeCustomer != typeKey && (ipKey <= 0 || entry.ip != ipKey) { tally(entry) }
                }
            }
            if latest.isFinite { stats.lastSeen = Date(timeIntervalSince1970: latest) }
            return stats
        }
    }
}
