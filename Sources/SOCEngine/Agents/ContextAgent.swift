/// Weighs the business context: the customer's tier, the criticality of the asset hit, and what
/// the IP reputation list says about the source (declared crawler, hostile range, unknown).
public struct ContextAgent: ThreatAgent {
    public let role = AgentRole.context
    public init() {}

    /// The asset's criticality and where the value came from.
    static func criticality(_ input: AgentInput) -> (level: AssetCriticality, source: String) {
        if let level = input.evidence.assetCriticality { return (level, "signal metadata") }
        guard let customer = input.customer else { return (.medium, "default (unknown customer)") }
        let (level, prefix) = customer.criticality(of: input.evidence.endpoint)
        return (level, prefix.map { "asset map entry \($0)" } ?? "customer default")
    }

    public func analyze(_ input: AgentInput) async throws -> AgentFinding {
        let e = input.evidence
        var findings: [String] = []
        var recommendations: [String] = []
        let tier = input.customer?.tier ?? "unknown"
        findings.append("Customer \(input.customerDisplayName): \(tier) tier")
        let (level, source) = Self.criticality(input)
        findings.append("Asset \(e.endpoint ?? "(no endpoint)") criticality \(level.rawValue) (\(source))")
        var reputationText = "no reputation entry for the source"
        if let match = input.reputation {
            reputationText = "source \(e.sourceIP ?? "") is in \(match.entry.name) (\(match.network), \(match.entry.category))"
            findings.append("Reputation: \(reputationText)")
            if match.isCrawler {
                recommendations.append("Verify the crawler by reverse DNS before acting; do not block a legitimate \(match.entry.name)")
            } else {
                recommendations.append("Block or challenge traffic from \(match.network): \(match.entry.name)")
            }
        } else if let ip = e.sourceIP {
            findings.append("Reputation: \(ip) is not on the reputation list")
        } else {
            findings.append("Signal carries no source_ip: reputation cannot be checked")
        }
        if level >= .high {
            recommendations.append("Prioritise: a \(level.rawValue)-criticality asset is involved")
        }
        if tier == "enterprise" {
            recommendations.append("Notify \(input.customer?.securityContact ?? "the customer's security contact") under the enterprise agreement")
        }
        let confidence = (input.customer == nil ? 0.5 : 0.75) + (input.reputation == nil ? 0 : 0.15)
        let text = "\(input.customerDisplayName) (\(tier) tier); the \(level.rawValue)-criticality asset \(e.endpoint ?? "(unspecified)") is involved; \(reputationText)."
        return AgentFinding(analysis: analysis(text, confidence: confidence, findings: findings, recommendations: recommendations))
    }
}
