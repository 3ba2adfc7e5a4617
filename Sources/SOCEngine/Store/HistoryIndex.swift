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

    /// 20 bytes: the index holds three of these per stored threat.
    private struct Entry {
        var row: UInt32
        /// Signal time, whole seconds since 1970 (the window is days long).
        var time: UInt32
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
    /// Keys of rows `firstRow ..< firstRow + rows.count - head`, in row order (row ids are
    /// contiguous: the store only ever deletes its oldest rows).
    private var rows: [Keys] = []
    private var head = 0
    private var firstRow: Int64 = 0

    public init() {}

    public var count: Int { lock.withLock { rows.count - head } }

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

    private static func seconds(_ date: Date) -> UInt32 {
        UInt32(clamping: Int64(max(0, date.timeIntervalSince1970.rounded(.down))))
    }

    /// Adds threats just committed to the store (row ids ascending and contiguous).
    public func insert(_ records: [Record]) {
        lock.withLock {
            for record in records {
                if rows.count == head {
                    rows.removeAll(keepingCapacity: true)
                    head = 0
                    firstRow = record.rowID
                }
                // Rows deleted out of order (never done by the store) leave empty slots.
                while firstRow + Int64(rows.count - head) < record.rowID {
                    rows.append(Keys(typeCustomer: 0, ip: 0, subnet: 0))
                }
                guard firstRow + Int64(rows.count - head) == record.rowID else { continue }
                let keys = Keys(
                    typeCustomer: intern("t|\(record.threatType)|\(record.customer)"),
                    ip: record.sourceIP.map { intern("i|\($0)") } ?? 0,
                    subnet: record.subnet.map { intern("s|\($0)") } ?? 0
                )
                let entry = Entry(row: UInt32(truncatingIfNeeded: record.rowID), time: Self.seconds(record.signalTime),
                                  typeCustomer: keys.typeCustomer, ip: keys.ip, status: record.status)
                for key in [keys.typeCustomer, keys.ip, keys.subnet] where key != 0 {
                    buckets[key, default: []].append(entry)
                }
                rows.append(keys)
            }
        }
    }

    private func keys(of rowID: Int64) -> Keys? {
        let offset = rowID - firstRow
        guard offset >= 0, offset < Int64(rows.count - head) else { return nil }
        return rows[head + Int(offset)]
    }

    /// Records an analyst's verdict.
    public func setStatus(rowID: Int64, status: ThreatStatus) {
        lock.withLock {
            guard let keys = keys(of: rowID) else { return }
            let row = UInt32(truncatingIfNeeded: rowID)
            for key in [keys.typeCustomer, keys.ip, keys.subnet] where key != 0 {
                // Find the entry, then write through the dictionary in place: copying the bucket
                // out and back would copy every entry of a busy key per verdict.
                guard let found = buckets[key].flatMap({ Self.position(of: row, in: $0) }) else { continue }
                buckets[key]![found].status = status
            }
        }
    }

    /// The index of the entry for `row` in a bucket (entries are in row order).
    private static func position(of row: UInt32, in entries: [Entry]) -> Int? {
        var low = 0
        var high = entries.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if entries[mid].row == row { return mid }
            if entries[mid].row < row { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    /// Forgets every threat with a row id up to and including `rowID` (retention).
    public func removeThrough(rowID: Int64) {
        lock.withLock {
            var drop: [Int32: Int] = [:]
            while head < rows.count, firstRow <= rowID {
                let keys = rows[head]
                for key in [keys.typeCustomer, keys.ip, keys.subnet] where key != 0 {
                    drop[key, default: 0] += 1
                }
                head += 1
                firstRow += 1
            }
            for (key, count) in drop {
                buckets[key]?.removeFirst(count)
                if buckets[key]?.isEmpty == true { buckets[key] = nil }
            }
            if head > 4096, head * 2 > rows.count {
                rows.removeFirst(head)
                head = 0
            }
        }
    }

    /// Similar threats whose signal time lies within `window` before `time` (and up to `time`).
    public func similar(threatType: String, customer: String, sourceIP: String?, subnet: String?, at time: Date, window: TimeInterval) -> HistoryStats {
        let end = Self.seconds(time)
        let start = Self.seconds(time.addingTimeInterval(-window))
        return lock.withLock {
            var stats = HistoryStats()
            var latest: UInt32?
            let typeKey = lookup("t|\(threatType)|\(customer)")
            let ipKey = sourceIP == nil ? 0 : lookup("i|\(sourceIP!)")
            let subnetKey = subnet == nil ? 0 : lookup("s|\(subnet!)")
            func tally(_ entry: Entry) {
                stats.similarTotal += 1
                latest = max(latest ?? 0, entry.time)
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
            stats.lastSeen = latest.map { Date(timeIntervalSince1970: TimeInterval($0)) }
            return stats
        }
    }
}
