/// Maps a threat onto ATT&CK: a base technique per threat type, plus techniques the evidence
/// calls for (credential stuffing on a login endpoint, multi-hop proxy from a Tor exit, ...).
///
/// Every pair names a tactic and a technique that belongs to it in the catalogue; names always
/// come from the catalogue.
public enum MitreMapper {
    /// A (tactic id, technique id) pair.
    public struct Pair: Sendable, Hashable {
        public var tactic: String
        public var technique: String
        public init(_ tactic: String, _ technique: String) {
            self.tactic = tactic
            self.technique = technique
        }
    }

    /// The pairs for a signal, base mapping first, without duplicates.
    public static func pairs(for input: AgentInput) -> [Pair] {
        let e = input.evidence
        let rateHigh = (e.requestsPerMinute ?? 0) > (input.customer?.rateLimitPerMinute ?? 1000)
        let credentialAttack = e.isLoginEndpoint || (e.failedLogins ?? 0) >= 5
        var pairs: [Pair] = []
        switch input.signal.threatType {
        case .botTraffic:
            pairs.append(Pair("TA0043", "T1595"))
            if let endpoint = e.endpoint?.lowercased(), ["admin", ".env", "wp-", ".git", "phpmyadmin"].contains(where: endpoint.contains) {
                pairs.append(Pair("TA0043", "T1595.002"))
            }
            if credentialAttack { pairs.append(Pair("TA0006", "T1110.004")) }
            if rateHigh { pairs.append(Pair("TA0040", "T1499.002")) }
        case .proxyNetwork:
            pairs.append(Pair("TA0011", "T1090"))
            if input.reputation?.entry.category == "tor_exit" { pairs.append(Pair("TA0011", "T1090.003")) }
            if credentialAttack { pairs.append(Pair("TA0001", "T1078")) }
        case .deviceCompromise:
            pairs.append(Pair("TA0001", "T1078"))
            let indicators = e.indicators.map { $0.lowercased() }
            if indicators.contains(where: { $0.contains("beacon") || $0.contains("c2") }) { pairs.append(Pair("TA0011", "T1071.001")) }
            if indicators.contains(where: { $0.contains("session") || $0.contains("cookie") }) { pairs.append(Pair("TA0006", "T1539")) }
            if indicators.contains(where: { $0.contains("credential") || $0.contains("password") }) { pairs.append(Pair("TA0006", "T1555")) }
            if indicators.contains(where: { $0.contains("script") || $0.contains("powershell") || $0.contains("shell") }) { pairs.append(Pair("TA0002", "T1059")) }
            if indicators.contains(where: { $0.contains("mining") || $0.contains("crypto") }) { pairs.append(Pair("TA0040", "T1496")) }
        case .anomalyDetection:
            pairs.append(Pair("TA0009", "T1119"))
            if let out = e.bytesOut, let baseline = e.baselineBytesOut, baseline > 0, out / baseline >= 3 {
                pairs.append(Pair("TA0010", "T1030"))
            }
            if input.signal.metadata.keys.contains(where: { $0.contains("crypto") }) || e.indicators.contains(where: { $0.contains("mining") }) {
                pairs.append(Pair("TA0040", "T1496"))
            }
        case .rateLimitBreach:
            pairs.append(Pair("TA0040", "T1499.003"))
            if credentialAttack { pairs.append(Pair("TA0006", "T1110")) }
        case .geoAnomaly:
            pairs.append(Pair("TA0001", "T1078"))
            if (e.travelSpeedKmh ?? 0) > 1000 { pairs.append(Pair("TA0005", "T1078")) }
            if let category = input.reputation?.entry.category, category == "proxy" || category == "tor_exit" {
                pairs.append(Pair("TA0011", "T1090"))
            }
        }
        if input.reputation?.entry.category == "malicious", input.signal.threatType == .botTraffic {
            pairs.append(Pair("TA0042", "T1583.005"))
        }
        var seen = Set<Pair>()
        return pairs.filter { seen.insert($0).inserted }
    }

    /// The distinct tactics and techniques of `pairs`, with catalogue names.
    public static func references(_ pairs: [Pair], catalogue: AttackCatalogue) -> (tactics: [MitreReference], techniques: [MitreReference]) {
        var tactics: [MitreReference] = []
        var techniques: [MitreReference] = []
        for pair in pairs {
            if let tactic = catalogue.tactic(pair.tactic), !tactics.contains(tactic) { tactics.append(tactic) }
            if let technique = catalogue.technique(pair.technique), !techniques.contains(technique) { techniques.append(technique) }
        }
        return (tactics, techniques)
    }
}
