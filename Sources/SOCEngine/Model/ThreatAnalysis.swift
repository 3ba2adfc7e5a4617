import Foundation

/// The engine's verdict on one signal: what it is, how bad, what each agent found, how likely it
/// is a false positive, and what to do about it. Encoded with the SPEC section 7 field names.
public struct ThreatAnalysis: Sendable, Codable, Hashable {
    public var id: String
    public var signal: SecuritySignal
    public var status: ThreatStatus
    public var severity: Severity
    public var executiveSummary: String
    public var mitreTactics: [MitreReference]
    public var mitreTechniques: [MitreReference]
    public var customerNarrative: String
    public var agentAnalyses: AgentAnalyses
    public var falsePositiveScore: FalsePositiveScore
    public var responsePlan: ResponsePlan
    public var investigationTimeline: InvestigationTimeline
    public var totalProcessingTimeMs: Double
    public var createdAt: Date
    public var requiresHumanReview: Bool
    public var reviewReason: String?
    /// The analyst's note from the last PATCH, if any.
    public var analystNote: String?
    /// When the analyst's verdict was recorded.
    public var verdictAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, signal, status, severity
        case executiveSummary = "executive_summary"
        case mitreTactics = "mitre_tactics"
        case mitreTechniques = "mitre_techniques"
        case customerNarrative = "customer_narrative"
        case agentAnalyses = "agent_analyses"
        case falsePositiveScore = "false_positive_score"
        case responsePlan = "response_plan"
        case investigationTimeline = "investigation_timeline"
        case totalProcessingTimeMs = "total_processing_time_ms"
        case createdAt = "created_at"
        case requiresHumanReview = "requires_human_review"
        case reviewReason = "review_reason"
        case analystNote = "analyst_note"
        case verdictAt = "verdict_at"
    }
}

/// An ATT&CK tactic or technique, always with the catalogue's id and name.
public struct MitreReference: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
}

/// One agent's contribution.
public struct AgentAnalysis: Sendable, Codable, Hashable {
    public var agentName: String
    public var analysis: String
    /// 0–1: how much the agent trusts its own reading; 0 for a failed or timed-out agent.
    public var confidence: Double
    public var keyFindings: [String]
    public var recommendations: [String]
    public var processingTimeMs: Double

    public init(agentName: String, analysis: String, confidence: Double, keyFindings: [String], recommendations: [String], processingTimeMs: Double = 0) {
        self.agentName = agentName
        self.analysis = analysis
        self.confidence = confidence
        self.keyFindings = keyFindings
        self.recommendations = recommendations
        self.processingTimeMs = processingTimeMs
    }

    enum CodingKeys: String, CodingKey {
        case agentName = "agent_name"
        case analysis, confidence
        case keyFindings = "key_findings"
        case recommendations
        case processingTimeMs = "processing_time_ms"
    }
}

/// The five agents' analyses, keyed as SPEC section 7 names them.
public struct AgentAnalyses: Sendable, Codable, Hashable {
    public var historical: AgentAnalysis
    public var config: AgentAnalysis
    public var devops: AgentAnalysis
    public var context: AgentAnalysis
    public var priority: AgentAnalysis

    public var all: [AgentAnalysis] { [historical, config, devops, context, priority] }
}

/// How likely the signal is benign, and why.
public struct FalsePositiveScore: Sendable, Codable, Hashable {
    /// 0 (certainly real) to 1 (certainly benign).
    public var score: Double
    public var confidence: Double
    public var indicators: [FalsePositiveIndicator]
    /// `likely_false_positive`, `needs_review` or `likely_true_positive`.
    public var recommendation: String
    /// Share of analyst verdicts on similar threats that were `false_positive`; nil without verdicts.
    public var historicalFpRate: Double?

    enum CodingKeys: String, CodingKey {
        case score, confidence, indicators, recommendation
        case historicalFpRate = "historical_fp_rate"
    }
}

/// One piece of evidence for (positive weight) or against (negative weight) a false positive.
public struct FalsePositiveIndicator: Sendable, Codable, Hashable {
    public var indicator: String
    public var weight: Double
    public var description: String
}

/// What to do: a primary action, follow-ups, who to escalate to and how fast.
public struct ResponsePlan: Sendable, Codable, Hashable {
    public var primaryAction: ResponseAction
    public var secondaryActions: [ResponseAction]
    public var escalationPath: [String]
    public var slaMinutes: Int

    enum CodingKeys: String, CodingKey {
        case primaryAction = "primary_action"
        case secondaryActions = "secondary_actions"
        case escalationPath = "escalation_path"
        case slaMinutes = "sla_minutes"
    }
}

/// A concrete response step against a target.
public struct ResponseAction: Sendable, Codable, Hashable {
    public var action: String
    public var target: String
    public var description: String
    public var requiresApproval: Bool
    /// True when the customer's auto-block policy lets the engine act without a human.
    public var automated: Bool

    enum CodingKeys: String, CodingKey {
        case action, target, description
        case requiresApproval = "requires_approval"
        case automated
    }
}

/// What happened during the analysis, with the real time of each phase.
public struct InvestigationTimeline: Sendable, Codable, Hashable {
    public var events: [TimelineEvent]
}

public struct TimelineEvent: Sendable, Codable, Hashable {
    public var timestamp: Date
    public var phase: String
    public var description: String
    public var durationMs: Double?

    enum CodingKeys: String, CodingKey {
        case timestamp, phase, description
        case durationMs = "duration_ms"
    }
}
