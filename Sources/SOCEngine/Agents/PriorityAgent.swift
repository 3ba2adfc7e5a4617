/// The priority agent's structured verdict: ATT&CK mapping and the severity score.
public struct PriorityAssessment: Sendable, Hashable {
    public var model: SeverityModel
    public var tactics: [MitreReference]
    public var techniques: [MitreReference]
    /// The false-positive score the agent discounted by (evidence and history only).
    public var falsePositive: Double
    public var score: Double
    public var severity: Severity
}

/// Maps the threat onto MITRE ATT&CK and scores its severity from evidence, tier, asset
/// criticality and the false-positive score.
public struct PriorityAgent: ThreatAgent {
    public let role = AgentRole.priority
    public init() {}

    public func analyze(_ input: AgentInput) async throws -> AgentFinding {
        let model = SeverityModel(input: input)
        let pairs = MitreMapper.pairs(for: input)
        let (tactics, techniques) = MitreMapper.references(pairs, catalogue: input.knowledge.catalogue)
        let falsePositive = FalsePositiveAnalyzer.score(input, operations: nil).score
        let score = model.score(falsePositive: falsePositive)
        let severity = Severity(score: score)
        let assessment = PriorityAssessment(model: model, tactics: tactics, techniques: techniques, falsePositive: falsePositive, score: score, severity: severity)

        let terms = model.terms.map { "\($0.points >= 0 ? "+" : "")\(Say.ratio($0.points)) \($0.reason)" }
        var findings = ["Severity score \(Say.ratio(score))/100 (\(severity.rawValue)): base \(Say.ratio(model.baseScore)) discounted by false-positive score \(Say.ratio(falsePositive))"]
        findings.append("Score terms: " + terms.joined(separator: "; "))
        findings.append("ATT&CK: " + techniques.map { "\($0.id) \($0.name)" }.joined(separator: ", ") + " under " + tactics.map { "\($0.id) \($0.name)" }.joined(separator: ", "))
        var recommendations: [String] = []
        switch severity {
        case .critical: recommendations.append("Page the on-call analyst now: CRITICAL threats carry a 15-minute SLA")
        case .high: recommendations.append("Handle within the hour; contain the source before investigating further")
        case .medium: recommendations.append("Queue for tier-1 review within 4 hours")
        case .low: recommendations.append("Monitor; no immediate action needed")
        }
        if let technique = techniques.first {
            recommendations.append("Hunt for related \(technique.name) (\(technique.id)) activity across \(input.customerDisplayName)'s assets")
        }
        let confidence = 0.6 + min(0.3, Double(model.terms.count - 1) * 0.05)
        let text = "\(input.signal.threatType.displayName.capitalized) maps to \(techniques.count) ATT&CK technique\(techniques.count == 1 ? "" : "s") (\(techniques.map(\.id).joined(separator: ", "))). Severity \(severity.rawValue) at \(Say.ratio(score))/100 from \(model.terms.count) evidence terms."
        return AgentFinding(analysis: analysis(text, confidence: confidence, findings: findings, recommendations: recommendations), priority: assessment)
    }
}
