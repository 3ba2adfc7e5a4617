import Foundation

/// Optionally rewrites an agent's analysis (the LLM option); must fall back to the given
/// analysis on any failure and say so in it.
public protocol AnalysisRefiner: Sendable {
    func refine(_ analysis: AgentAnalysis, role: AgentRole, input: AgentInput) async -> AgentAnalysis
}

/// Runs the five agents over a signal in parallel, then the false-positive analyzer, the
/// response engine and the narrative, and assembles the ``ThreatAnalysis``.
///
/// Promises: every agent gets at most `agentTimeout`; one that fails or is still running then
/// is replaced by a placeholder with confidence 0 and the reason. Given the same signal and the
/// same store contents and Vigil events, the analysis is the same apart from ids and timings.
public final class ThreatCoordinator: Sendable {
    public struct Configuration: Sendable {
        /// How long each agent may take.
        public var agentTimeout: Duration = .seconds(2)
        public init(agentTimeout: Duration = .seconds(2)) { self.agentTimeout = agentTimeout }
    }

    public let knowledge: EngineKnowledge
    public let history: HistoryIndex
    let agents: [any ThreatAgent]
    let refiner: (any AnalysisRefiner)?
    let configuration: Configuration

    public init(knowledge: EngineKnowledge, history: HistoryIndex, agents: [any ThreatAgent], refiner: (any AnalysisRefiner)? = nil, configuration: Configuration = .init()) {
        self.knowledge = knowledge
        self.history = history
        self.agents = agents
        self.refiner = refiner
        self.configuration = configuration
    }

    /// The standard five agents; `events` is where the devops agent reads Vigil's events.
    public static func standardAgents(events: (any EventSource)?) -> [any ThreatAgent] {
        [HistoricalAgent(), ConfigAgent(), DevopsAgent(source: events), ContextAgent(), PriorityAgent()]
    }

    private struct Outcome: Sendable {
        var role: AgentRole
        var result: Result<AgentFinding, any Error>
        var started: Date
        var finished: Date
    }

    /// Analyses one signal; `receivedAt` is when the request arrived, the timeline's first event.
    public func analyze(_ signal: SecuritySignal, receivedAt: Date = Date(), id: String = UUID().uuidString.lowercased()) async -> ThreatAnalysis {
        var timeline = [TimelineEvent(timestamp: receivedAt, phase: "signal_received", description: "\(signal.threatType.rawValue) signal for \(signal.customerName) received", durationMs: nil)]
        let input = AgentInput(signal: signal, knowledge: knowledge, history: history)
        let enriched = Date()
        timeline.append(TimelineEvent(timestamp: enriched, phase: "enrichment",
            description: "customer profile \(input.customer == nil ? "not found" : "loaded"), reputation \(input.reputation?.entry.name ?? "no match"), \(Say.plural(input.history.similarTotal, "similar threat")) in 30 days",
            durationMs: milliseconds(from: receivedAt, to: enriched)))

        let outcomes = await runAgents(input)
        var findings: [AgentRole: AgentFinding] = [:]
        var failed: [AgentRole] = []
        for role in AgentRole.allCases {
            guard let outcome = outcomes[role] else {
                failed.append(role)
                findings[role] = placeholder(role, reason: "timed out after \(Int(configuration.agentTimeout.milliseconds)) ms")
                timeline.append(TimelineEvent(timestamp: Date(), phase: "\(role.rawValue)_agent", description: "timed out; placeholder used", durationMs: configuration.agentTimeout.milliseconds))
                continue
            }
            let duration = milliseconds(from: outcome.started, to: outcome.finished)
            switch outcome.result {
            case .success(var finding):
                finding.analysis.processingTimeMs = duration
                findings[role] = finding
                timeline.append(TimelineEvent(timestamp: outcome.finished, phase: "\(role.rawValue)_agent", description: "completed with confidence \(finding.analysis.confidence)", durationMs: duration))
            case .failure(let error):
                failed.append(role)
                var finding = placeholder(role, reason: "failed: \(error)")
                finding.analysis.processingTimeMs = duration
                findings[role] = finding
                timeline.append(TimelineEvent(timestamp: outcome.finished, phase: "\(role.rawValue)_agent", description: "failed (\(error)); placeholder used", durationMs: duration))
            }
        }
        let agentsDone = Date()

        let assessment = findings[.priority]?.priority ?? fallbackAssessment(input)
        let falsePositive = FalsePositiveAnalyzer.score(input, operations: findings[.devops]?.operations)
        let severity = Severity(score: assessment.model.score(falsePositive: falsePositive.score))
        let fpDone = Date()
        timeline.append(TimelineEvent(timestamp: fpDone, phase: "false_positive_analysis",
            description: "score \(Say.ratio(falsePositive.score)) from \(Say.plural(falsePositive.indicators.count, "indicator")): \(falsePositive.recommendation)",
            durationMs: milliseconds(from: agentsDone, to: fpDone)))

        let plan = ResponseEngine.plan(input, severity: severity, falsePositive: falsePositive)
        let analyses = AgentAnalyses(historical: findings[.historical]!.analysis, config: findings[.config]!.analysis,
                                     devops: findings[.devops]!.analysis, context: findings[.context]!.analysis, priority: findings[.priority]!.analysis)
        let summary = Narrative.executiveSummary(input, severity: severity, falsePositive: falsePositive, plan: plan, techniques: assessment.techniques)
        let narrative = Narrative.customerNarrative(input, severity: severity, falsePositive: falsePositive, plan: plan)
        let review = Narrative.reviewReason(severity: severity, falsePositive: falsePositive, plan: plan, agents: analyses, failedAgents: failed)
        let planned = Date()
        timeline.append(TimelineEvent(timestamp: planned, phase: "response_planned",
            description: "\(plan.primaryAction.action) on \(plan.primaryAction.target), SLA \(plan.slaMinutes) min", durationMs: milliseconds(from: fpDone, to: planned)))
        let total = milliseconds(from: receivedAt, to: planned)
        timeline.append(TimelineEvent(timestamp: planned, phase: "analysis_completed", description: "\(severity.rawValue); \(review == nil ? "no human review needed" : "human review required")", durationMs: total))

        return ThreatAnalysis(
            id: id, signal: signal, status: .analyzed, severity: severity, executiveSummary: summary,
            mitreTactics: assessment.tactics, mitreTechniques: assessment.techniques, customerNarrative: narrative,
            agentAnalyses: analyses, falsePositiveScore: falsePositive, responsePlan: plan,
            investigationTimeline: InvestigationTimeline(events: timeline), totalProcessingTimeMs: total,
            createdAt: planned, requiresHumanReview: review != nil, reviewReason: review)
    }

    private func runAgents(_ input: AgentInput) async -> [AgentRole: Outcome] {
        let refiner = self.refiner
        let timeout = configuration.agentTimeout
        return await withTaskGroup(of: Outcome?.self) { group in
            for agent in agents {
                group.addTask {
                    let started = Date()
                    do {
                        var finding = try await agent.analyze(input)
                        if let refiner {
                            finding.analysis = await refiner.refine(finding.analysis, role: agent.role, input: input)
                        }
                        try Task.checkCancellation()
                        return Outcome(role: agent.role, result: .success(finding), started: started, finished: Date())
                    } catch {
                        return Outcome(role: agent.role, result: .failure(error), started: started, finished: Date())
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var outcomes: [AgentRole: Outcome] = [:]
            while let next = await group.next() {
                guard let outcome = next else { break }
                if case .failure(let error) = outcome.result, error is CancellationError { continue }
                outcomes[outcome.role] = outcome
                if outcomes.count == agents.count { break }
            }
            group.cancelAll()
            return outcomes
        }
    }

    private func placeholder(_ role: AgentRole, reason: String) -> AgentFinding {
        AgentFinding(analysis: AgentAnalysis(
            agentName: role.agentName, analysis: "No analysis: the \(role.rawValue) agent \(reason).", confidence: 0,
            keyFindings: ["Agent \(reason)"], recommendations: ["Review this threat manually; the \(role.rawValue) perspective is missing"]))
    }

    /// The priority agent's mapping and score computed directly, when the agent itself failed.
    private func fallbackAssessment(_ input: AgentInput) -> PriorityAssessment {
        let model = SeverityModel(input: input)
        let (tactics, techniques) = MitreMapper.references(MitreMapper.pairs(for: input), catalogue: knowledge.catalogue)
        let falsePositive = FalsePositiveAnalyzer.score(input, operations: nil).score
        let score = model.score(falsePositive: falsePositive)
        return PriorityAssessment(model: model, tactics: tactics, techniques: techniques, falsePositive: falsePositive, score: score, severity: Severity(score: score))
    }

    private func milliseconds(from start: Date, to end: Date) -> Double {
        (end.timeIntervalSince(start) * 1_000_000).rounded() / 1000
    }
}
