import Foundation
import VigilSupervisor

/// Makes plausible signals for demos, load and the background generator: random ones of any
/// type, or one of the named scenarios.
///
/// Seeded: two generators with the same seed produce the same sequence. Addresses come from the
/// reputation list's ranges and the RFC 2544 benchmarking network, never from real hosts.
public final class ThreatGenerator: @unchecked Sendable {
    /// The named scenarios of `POST /api/threats/trigger`.
    public enum Scenario: String, Sendable, CaseIterable {
        case cryptoSurge = "crypto_surge"
        case botAttack = "bot_attack"
        case geoImpossible = "geo_impossible"
        case criticalThreat = "critical_threat"

        public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
    }

    private let lock = NSLock()
    private var rng: SplitMix64
    private let customers: [String]
    private let crawlers: [IPv4Network]
    private let hostile: [IPv4Network]
    private let proxies: [IPv4Network]

    public init(knowledge: EngineKnowledge, seed: UInt64) {
        rng = SplitMix64(seed: seed)
        customers = knowledge.customers.names.isEmpty ? ["acme_corp"] : knowledge.customers.names
        crawlers = knowledge.reputation.networks(category: "crawler")
        hostile = knowledge.reputation.networks(category: "malicious")
        proxies = knowledge.reputation.networks(category: "proxy") + knowledge.reputation.networks(category: "tor_exit")
    }

    /// A new signal: the scenario's, else a random one of `type` (random type when nil).
    public func signal(type: ThreatType? = nil, scenario: Scenario? = nil, now: Date = Date()) -> SecuritySignal {
        lock.withLock {
            let id = UUID().uuidString.lowercased()
            if let scenario { return scenarioSignal(scenario, id: id, now: now) }
            let type = type ?? ThreatType.allCases[rng.below(ThreatType.allCases.count)]
            let customer = customers[rng.below(customers.count)]
            return SecuritySignal(id: id, threatType: type, customerName: customer, timestamp: now, metadata: metadata(for: type))
        }
    }

    private func address(in networks: [IPv4Network]) -> String {
        guard !networks.isEmpty else { return neutralAddress() }
        let network = networks[rng.below(networks.count)]
        let size = network.prefixLength >= 32 ? 1 : UInt32(1) << UInt32(32 - network.prefixLength)
        let offset = size <= 2 ? 0 : 1 + UInt32(rng.below(Int(size - 2)))
        return IPv4Address(network.base + offset).description
    }

    /// An address with no reputation entry and on no allow-list: 198.18.100.0–198.19.63.255.
    private func neutralAddress() -> String {
        "198.\(18 + rng.below(2)).\(rng.below(2) == 0 ? 100 + rng.below(150) : rng.below(64)).\(1 + rng.below(254))"
    }

    private func pickSource() -> String {
        switch rng.below(10) {
        case 0...3: return address(in: hostile)
        case 4...5: return address(in: crawlers)
        case 6: return address(in: proxies)
        default: return neutralAddress()
        }
    }

    private func pick<T>(_ items: [T]) -> T { items[rng.below(items.count)] }

    private func metadata(for type: ThreatType) -> [String: JSONValue] {
        var m: [String: JSONValue] = [:]
        let countries = ["US", "CA", "GB", "DE", "FR", "SG", "BR", "CN", "RU", "NG", "IN"]
        switch type {
        case .botTraffic:
            m["source_ip"] = .string(pickSource())
            m["requests_per_minute"] = .number(Double(50 + rng.below(5000)))
            m["bot_score"] = .number(Double(50 + rng.below(50)) / 100)
            m["user_agent"] = .string(pick(["python-requests/2.31", "Mozilla/5.0 (compatible; Googlebot/2.1)", "curl/8.5.0", "Mozilla/5.0 HeadlessChrome/120.0"]))
            m["endpoint"] = .string(pick(["/login", "/api/products", "/health", "/search", "/wp-admin"]))
        case .proxyNetwork:
            m["source_ip"] = .string(address(in: proxies))
            m["location"] = .string(pick(countries))
            m["endpoint"] = .string(pick(["/login", "/api/accounts", "/checkout"]))
            m["user_id"] = .string("user-\(1000 + rng.below(9000))")
        case .deviceCompromise:
            m["source_ip"] = .string(pickSource())
            m["device_id"] = .string("dev-\(String(rng.next() % 0xFFFFFF, radix: 16))")
            m["user_id"] = .string("user-\(1000 + rng.below(9000))")
            m["indicators"] = .array((0..<(1 + rng.below(3))).map { _ in .string(pick(["malware_beacon", "session_hijack", "credential_dump", "powershell_execution", "unsigned_binary"])) })
            m["endpoint"] = .string(pick(["/api/admin", "/api/records", "/login"]))
        case .anomalyDetection:
            let baseline = Double(1_000_000 + rng.below(9_000_000))
            m["source_ip"] = .string(pickSource())
            m["baseline_bytes_out"] = .number(baseline)
            m["bytes_out"] = .number((baseline * Double(50 + rng.below(2000)) / 100).rounded())
            m["endpoint"] = .string(pick(["/api/export", "/api/records", "/api/payments"]))
        case .rateLimitBreach:
            m["source_ip"] = .string(pickSource())
            m["requests_per_minute"] = .number(Double(100 + rng.below(8000)))
            m["endpoint"] = .string(pick(["/api/search", "/login", "/api/cart", "/health"]))
        case .geoAnomaly:
            m["source_ip"] = .string(pickSource())
            m["user_id"] = .string("user-\(1000 + rng.below(9000))")
            m["previous_location"] = .string(pick(["US", "GB", "DE"]))
            m["location"] = .string(pick(countries))
            m["travel_speed_kmh"] = .number(Double(rng.below(12000)))
            m["endpoint"] = .string("/login")
        }
        return m
    }

    private func scenarioSignal(_ scenario: Scenario, id: String, now: Date) -> SecuritySignal {
        let octet = 2 + rng.below(250)
        switch scenario {
        case .cryptoSurge:
            return SecuritySignal(id: id, threatType: .anomalyDetection, customerName: "globalbank", timestamp: now, metadata: [
                "source_ip": .string("198.19.66.\(octet)"), "endpoint": .string("/api/transfers"),
                "bytes_out": .number(480_000_000), "baseline_bytes_out": .number(12_000_000),
                "crypto_transactions_per_minute": .number(Double(900 + rng.below(300))), "indicators": .array([.string("crypto_mining_pool_traffic")]),
            ])
        case .botAttack:
            return SecuritySignal(id: id, threatType: .botTraffic, customerName: "acme_corp", timestamp: now, metadata: [
                "source_ip": .string("203.0.113.\(octet)"), "endpoint": .string("/login"),
                "requests_per_minute": .number(Double(4800 + rng.below(1000))), "bot_score": .number(0.97),
                "failed_logins": .number(Double(120 + rng.below(80))), "user_agent": .string("python-requests/2.31"),
            ])
        case .geoImpossible:
            return SecuritySignal(id: id, threatType: .geoAnomaly, customerName: "globalbank", timestamp: now, metadata: [
                "source_ip": .string("198.51.100.\(128 + octet % 126)"), "endpoint": .string("/login"), "user_id": .string("user-\(1000 + rng.below(9000))"),
                "previous_location": .string("US"), "location": .string("RU"), "travel_speed_kmh": .number(Double(8000 + rng.below(2000))),
            ])
        case .criticalThreat:
            return SecuritySignal(id: id, threatType: .deviceCompromise, customerName: "acme_corp", timestamp: now, metadata: [
                "source_ip": .string("192.0.2.\(octet)"), "endpoint": .string("/api/admin"), "device_id": .string("dev-\(octet)"),
                "user_id": .string("admin-\(rng.below(10))"), "asset_criticality": .string("critical"),
                "indicators": .array([.string("malware_beacon"), .string("credential_dump"), .string("powershell_execution")]),
            ])
        }
    }
}

extension SplitMix64 {
    /// A value in 0..<bound.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }
}
