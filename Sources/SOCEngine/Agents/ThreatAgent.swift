import Foundation

/// The five agents of SPEC section 7, by the key their analysis is stored under.
public enum AgentRole: String, Sendable, CaseIterable, Hashable, Codable {
    case historical, config, devops, context, priority

    /// The agent's display name in `agent_name`.
    public var agentName: String {
        switch self {
        case .historical: return "Historical Pattern Agent"
        case .config: return "Customer Config Agent"
        case .devops: return "DevOps Context Agent"
        case .context: return "Business Context Agent"
        case .priority: return "Priority & MITRE Agent"
        }
    }
}

/// The read-only knowledge every agent shares: the ATT&CK catalogue, the customers and the IP
/// reputation list.
public struct EngineKnowledge: Sendable {
    public var catalogue: AttackCatalogue
    public var customers: CustomerDirectory
    public var reputation: IPReputation

    public init(catalogue: AttackCatalogue, customers: CustomerDirectory, reputation: IPReputation) {
        self.catalogue = catalogue
        self.customers = customers
        self.reputation = reputation
    }

    /// The embedded data files.
    public static func embedded() throws -> EngineKnowledge {
        EngineKnowledge(catalogue: .embedded, customers: try .embedded(), reputation: try .embedded())
    }
}

/// Everything known about a signal before the agents run, computed once by the coordinator.
///
/// Pure data: agents given the same input return the same analysis.
public struct AgentInput: Sendable {
    public var signal: SecuritySignal
    public var evidence: Evidence
    public var customer: CustomerProfile?
    /// The customer's allow-list range holding the source, if any.
    public var allowListedBy: IPv4Network?
    public var reputation: IPReputation.Match?
    /// Similar threats in the store over the last 30 days, with analyst verdicts.
    public var history: HistoryStats
    public var knowledge: EngineKnowledge

    /// How far back the historical agent looks.
    public static let historyWindow: TimeInterval = 30 * 24 * 3600

    public init(signal: SecuritySignal, knowledge: EngineKnowledge, history: HistoryIndex) {
        self.signal = signal
        self.knowledge = knowledge
        evidence = Evidence(metadata: signal.metadata)
        customer = knowledge.customers[signal.customerName]
        if let address = evidence.ipv4 {
            allowListedBy = knowledge.customers.allowLists[signal.customerName]?.first { $0.contains(address) }
        }
        reputation = knowledge.reputation.lookup(evidence.ipv4)
        self.history = history.similar(
            threatType: signal.threatType.rawValue, customer: signal.customerName,
            sourceIP: evidence.sourceIP, subnet: evidence.subnet, at: signal.timestamp, window: Self.historyWindow)
    }

    /// The customer's display name, or the name as sent.
    public var customerDisplayName: String { customer?.displayName ?? signal.customerName }
}

/// What one agent concludes, with the structured parts the coordinator builds on.
public struct AgentFinding: Sendable {
    public var analysis: AgentAnalysis
    /// Set by the priority agent.
    public var priority: PriorityAssessment?
    /// Set by the devops agent.
    public var operations: OperationalContext?

    public init(analysis: AgentAnalysis, priority: PriorityAssessment? = nil, operations: OperationalContext? = nil) {
        self.analysis = analysis
        self.priority = priority
        self.operations = operations
    }
}

/// A specialised analyst: reads the input and reasons over its own slice of the evidence.
///
/// Implementations are deterministic (same input, same finding) and cooperative with
/// cancellation, because the coordinator abandons an agent at its timeout.
public protocol ThreatAgent: Sendable {
    var role: AgentRole { get }
    func analyze(_ input: AgentInput) async throws -> AgentFinding
}

extension ThreatAgent {
    /// An analysis under this agent's name.
    func analysis(_ text: String, confidence: Double, findings: [String], recommendations: [String]) -> AgentAnalysis {
        AgentAnalysis(agentName: role.agentName, analysis: text, confidence: (confidence * 100).rounded() / 100,
                      keyFindings: findings, recommendations: recommendations)
    }
}
