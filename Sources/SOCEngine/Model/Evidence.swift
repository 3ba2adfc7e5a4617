/// The typed view of a signal's metadata: the keys the agents reason over.
///
/// | key | type | used by |
/// |---|---|---|
/// | `source_ip` | IPv4/IPv6 string | historical (/24), config (allow-list), context (reputation) |
/// | `requests_per_minute` | number ≥ 0 | config (rate limit), priority |
/// | `location`, `previous_location` | country code | config (geo restrictions), geo anomaly |
/// | `travel_speed_kmh` | number ≥ 0 | geo anomaly (impossible travel above 1,000 km/h) |
/// | `endpoint` | string | context (asset criticality), false-positive (health checks) |
/// | `user_agent` | string | false-positive (declared crawlers) |
/// | `bot_score` | 0–1 | bot traffic |
/// | `failed_logins` | number ≥ 0 | credential attacks |
/// | `bytes_out`, `baseline_bytes_out` | number ≥ 0 | anomaly (exfiltration volume) |
/// | `indicators` | array of strings | device compromise (e.g. `malware_beacon`) |
/// | `asset_criticality` | low, medium, high, critical | context (overrides the customer's map) |
///
/// ``SignalValidator`` guarantees the types; unknown keys are kept but ignored.
public struct Evidence: Sendable, Hashable {
    public var sourceIP: String?
    public var ipv4: IPv4Address?
    public var requestsPerMinute: Double?
    public var location: String?
    public var previousLocation: String?
    public var travelSpeedKmh: Double?
    public var endpoint: String?
    public var userAgent: String?
    public var botScore: Double?
    public var failedLogins: Double?
    public var bytesOut: Double?
    public var baselineBytesOut: Double?
    public var indicators: [String]
    public var assetCriticality: AssetCriticality?

    /// The key similar sources share: the IPv4 /24, or the first four groups of an IPv6 address.
    public var subnet: String? {
        if let ipv4 { return ipv4.subnet24 }
        guard let sourceIP, sourceIP.contains(":") else { return nil }
        return sourceIP.split(separator: ":", omittingEmptySubsequences: false).prefix(4).joined(separator: ":") + "::/64"
    }

    public init(metadata: [String: JSONValue]) {
        sourceIP = metadata["source_ip"]?.stringValue
        ipv4 = sourceIP.flatMap { IPv4Address($0) }
        requestsPerMinute = metadata["requests_per_minute"]?.doubleValue
        location = metadata["location"]?.stringValue?.uppercased()
        previousLocation = metadata["previous_location"]?.stringValue?.uppercased()
        travelSpeedKmh = metadata["travel_speed_kmh"]?.doubleValue
        endpoint = metadata["endpoint"]?.stringValue
        userAgent = metadata["user_agent"]?.stringValue
        botScore = metadata["bot_score"]?.doubleValue
        failedLogins = metadata["failed_logins"]?.doubleValue
        bytesOut = metadata["bytes_out"]?.doubleValue
        baselineBytesOut = metadata["baseline_bytes_out"]?.doubleValue
        indicators = metadata["indicators"]?.arrayValue?.compactMap(\.stringValue) ?? []
        assetCriticality = metadata["asset_criticality"]?.stringValue.flatMap { AssetCriticality(rawValue: $0.lowercased()) }
    }

    /// Whether the endpoint is a health or readiness check, which monitors hit constantly.
    public var isHealthEndpoint: Bool {
        guard let endpoint = endpoint?.lowercased() else { return false }
        let healthPaths = ["/health", "/healthz", "/ready", "/readyz", "/livez", "/status", "/ping", "/metrics"]
        return healthPaths.contains { endpoint == $0 || endpoint.hasPrefix($0 + "/") || endpoint.hasPrefix($0 + "?") }
    }

    /// Whether the endpoint takes credentials, which makes volume look like a credential attack.
    public var isLoginEndpoint: Bool {
        guard let endpoint = endpoint?.lowercased() else { return false }
        return ["login", "signin", "sign-in", "auth", "token", "password"].contains { endpoint.contains($0) }
    }
}

/// How much damage an attack on an asset would do.
public enum AssetCriticality: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case low, medium, high, critical

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: AssetCriticality, rhs: AssetCriticality) -> Bool { lhs.rank < rhs.rank }
}
