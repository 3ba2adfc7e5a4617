import Foundation
@testable import SOCEngine
import VigilTestKit
import VigilSupervisor
import XCTest

/// Events handed to the devops agent through the ``EventSource`` seam.
struct StaticEventSource: EventSource {
    var events: [SupervisorEvent] = []
    var failure: String?
    var location: String { "test:static" }
    func events(since: Date) async throws -> [SupervisorEvent] {
        if let failure { throw CurlError(message: failure) }
        return events.filter { $0.time >= since }
    }
}

final class AgentReasoningTests: XCTestCase {
    private let time = Date(timeIntervalSince1970: 1_795_000_000)

    private func coordinator(history: HistoryIndex = HistoryIndex(), events: (any EventSource)? = StaticEventSource()) throws -> ThreatCoordinator {
        ThreatCoordinator(knowledge: try .embedded(), history: history, agents: ThreatCoordinator.standardAgents(events: events))
    }

    func testCrawlerRangeAndHealthEndpointRaiseTheFalsePositiveScore() async throws {
        let engine = try coordinator()
        let hostile = await engine.analyze(Signals.make(.botTraffic, at: time, metadata: [
            "source_ip": .string("203.0.113.50"), "endpoint": .string("/api/products"), "requests_per_minute": .number(900),
        ]))
        let crawler = await engine.analyze(Signals.make(.botTraffic, at: time, metadata: [
            "source_ip": .string("66.249.66.1"), "endpoint": .string("/api/products"), "requests_per_minute": .number(900),
        ]))
        let crawlerOnHealth = await engine.analyze(Signals.make(.botTraffic, at: time, metadata: [
            "source_ip": .string("66.249.66.1"), "endpoint": .string("/health"), "requests_per_minute": .number(900),
        ]))
        XCTAssertLessThan(hostile.falsePositiveScore.score, crawler.falsePositiveScore.score)
        XCTAssertLessThan(crawler.falsePositiveScore.score, crawlerOnHealth.falsePositiveScore.score)
        XCTAssertEqual(crawlerOnHealth.falsePositiveScore.recommendation, "likely_false_positive")
        let names = crawlerOnHealth.falsePositiveScore.indicators.map(\.indicator)
        XCTAssertTrue(names.contains("crawler_ip_range"))
        XCTAssertTrue(names.contains("health_check_endpoint"))
        XCTAssertTrue(hostile.falsePositiveScore.indicators.contains { $0.indicator == "hostile_ip_range" && $0.weight < 0 })
        XCTAssertGreaterThan(hostile.severity, crawlerOnHealth.severity)
        XCTAssertEqual(crawlerOnHealth.responsePlan.primaryAction.action, "monitor")
        XCTAssertTrue(crawler.agentAnalyses.context.keyFindings.contains { $0.contains("Googlebot") })
    }

    func testAnalystFalsePositiveVerdictsRaiseTheScoreForTheNextSimilarThreat() async throws {
        let directory = try TemporaryDirectory(prefix: "soc")
        defer { directory.remove() }
        let store = try ThreatStore(path: directory.appending("t.db"), maxStored: 100)
        let engine = try coordinator(history: store.history)
        func signal(_ minute: Double) -> SecuritySignal {
            Signals.make(.rateLimitBreach, customer: "techstart", at: time.addingTimeInterval(minute * 60), metadata: [
                "source_ip": .string("198.18.200.\(Int(minute) + 1)"), "endpoint": .string("/api/search"), "requests_per_minute": .number(700),
            ])
        }
        let before = await engine.analyze(signal(10))
        XCTAssertNil(before.falsePositiveScore.historicalFpRate)
        for minute in 0..<3 {
            let analysis = await engine.analyze(signal(Double(minute)))
            try await store.insert(analysis, body: try EngineJSON.encode(analysis))
            let updated = try await store.setVerdict(id: analysis.id, status: .falsePositive, note: "partner load test", at: Date())
            XCTAssertNotNil(updated)
        }
        let after = await engine.analyze(signal(10))
        XCTAssertEqual(after.falsePositiveScore.historicalFpRate, 1)
        XCTAssertGreaterThan(after.falsePositiveScore.score, before.falsePositiveScore.score)
        XCTAssertTrue(after.agentAnalyses.historical.keyFindings.contains { $0.contains("3 false positive") }, "\(after.agentAnalyses.historical.keyFindings)")
        XCTAssertTrue(after.agentAnalyses.historical.recommendations.contains { $0.contains("tuning") })
    }

    func testRolloutMinutesBeforeAnAnomalyAppearsInTheDevopsFindings() async throws {
        let rollout = SupervisorEvent(id: 12, time: time.addingTimeInterval(-240), service: "api", color: "green", kind: .rolloutStarted, message: "rollout of api to revision 7")
        let old = SupervisorEvent(id: 3, time: time.addingTimeInterval(-7200), service: "api", kind: .restarted, reason: "exit", message: "api restarted")
        let signal = Signals.make(.anomalyDetection, at: time, metadata: [
            "source_ip": .string("198.18.150.4"), "bytes_out": .number(40_000_000), "baseline_bytes_out": .number(10_000_000),
        ])
        let quiet = try await coordinator(events: StaticEventSource(events: [old])).analyze(signal)
        let afterRollout = try await coordinator(events: StaticEventSource(events: [old, rollout])).analyze(signal)
        let devops = afterRollout.agentAnalyses.devops
        XCTAssertTrue(devops.keyFindings.contains { $0.contains("Rollout started of api (green) 4 minutes before the signal") }, "\(devops.keyFindings)")
        XCTAssertFalse(quiet.agentAnalyses.devops.keyFindings.contains { $0.contains("Rollout") })
        XCTAssertTrue(afterRollout.falsePositiveScore.indicators.contains { $0.indicator == "recent_operational_change" })
        XCTAssertGreaterThan(afterRollout.falsePositiveScore.score, quiet.falsePositiveScore.score)
        XCTAssertTrue(devops.recommendations.contains { $0.contains("rollout") })
    }

    func testARolledBackRolloutCountsOnce() async throws {
        func event(_ seconds: Double, _ kind: EventKind, _ color: String) -> SupervisorEvent {
            SupervisorEvent(id: Int64(10_000 + seconds), time: time.addingTimeInterval(seconds), service: "api", color: color, kind: kind, message: "\(kind.rawValue) api")
        }
        let signal = Signals.make(.anomalyDetection, at: time, metadata: ["source_ip": .string("198.18.150.4")])
        // Started and rolled back in the window, the rollback recorded again on two router retries.
        let inWindow = [event(-600, .rolloutStarted, "green"), event(-300, .rolledBack, "green"), event(-299, .rolledBack, "blue"), event(-298, .rolledBack, "blue")]
        // Started before the window, rolled back inside it.
        let startedBefore = [event(-3600, .rolloutStarted, "green"), event(-300, .rolledBack, "green")]
        for events in [inWindow, startedBefore] {
            let devops = try await coordinator(events: StaticEventSource(events: events)).analyze(signal).agentAnalyses.devops
            XCTAssertTrue(devops.analysis.hasPrefix("Vigil recorded a rollout within"), devops.analysis)
        }
        let twoRollouts = inWindow + [event(-200, .rolloutStarted, "green")]
        let devops = try await coordinator(events: StaticEventSource(events: twoRollouts)).analyze(signal).agentAnalyses.devops
        XCTAssertTrue(devops.analysis.hasPrefix("Vigil recorded 2 rollouts within"), devops.analysis)
    }

    func testUnreachableVigilIsSaidAndLowersConfidence() async throws {
        let signal = Signals.make(.geoAnomaly, customer: "globalbank", at: time, metadata: ["location": .string("RU")])
        let reachable = try await coordinator(events: StaticEventSource()).analyze(signal)
        let unreachable = try await coordinator(events: StaticEventSource(failure: "connection refused")).analyze(signal)
        XCTAssertTrue(unreachable.agentAnalyses.devops.analysis.contains("not reachable"))
        XCTAssertLessThan(unreachable.agentAnalyses.devops.confidence, reachable.agentAnalyses.devops.confidence)
        XCTAssertGreaterThan(unreachable.agentAnalyses.devops.confidence, 0)
    }

    func testObservedRateOverTheCustomersLimitAppearsInConfigFindings() async throws {
        let engine = try coordinator()
        let over = await engine.analyze(Signals.make(.rateLimitBreach, at: time, metadata: ["source_ip": .string("198.18.160.9"), "requests_per_minute": .number(4200)]))
        let under = await engine.analyze(Signals.make(.rateLimitBreach, at: time, metadata: ["source_ip": .string("198.18.160.9"), "requests_per_minute": .number(300)]))
        XCTAssertTrue(over.agentAnalyses.config.keyFindings.contains { $0.contains("4,200 requests/min exceeds Acme Corp's rate limit of 1,200/min (3.5x)") }, "\(over.agentAnalyses.config.keyFindings)")
        XCTAssertTrue(under.agentAnalyses.config.keyFindings.contains { $0.contains("within the rate limit") })
        XCTAssertGreaterThanOrEqual(over.severity, under.severity)
        XCTAssertTrue(over.agentAnalyses.priority.keyFindings.contains { $0.contains("3.5x the rate limit") }, "the breach should raise the severity score")
        XCTAssertFalse(under.agentAnalyses.priority.keyFindings.contains { $0.contains("the rate limit") })
    }

    func testGeoRestrictionsAllowListAndAutoBlockDriveConfigAndResponse() async throws {
        let engine = try coordinator()
        let outside = await engine.analyze(Signals.make(.botTraffic, customer: "globalbank", at: time, metadata: [
            "source_ip": .string("203.0.113.9"), "location": .string("RU"), "requests_per_minute": .number(3000), "endpoint": .string("/login"), "failed_logins": .number(80),
        ]))
        XCTAssertTrue(outside.agentAnalyses.config.keyFindings.contains { $0.contains("RU is outside the allowed countries") })
        XCTAssertGreaterThanOrEqual(outside.severity, .high)
        XCTAssertEqual(outside.responsePlan.primaryAction.action, "block_ip")
        XCTAssertTrue(outside.responsePlan.primaryAction.automated, "globalbank enables auto-block")
        let allowListed = await engine.analyze(Signals.make(.botTraffic, customer: "globalbank", at: time, metadata: ["source_ip": .string("198.18.20.7")]))
        XCTAssertTrue(allowListed.agentAnalyses.config.keyFindings.contains { $0.contains("allow-listed") })
        XCTAssertTrue(allowListed.falsePositiveScore.indicators.contains { $0.indicator == "allow_listed_source" })
        let unknown = await engine.analyze(Signals.make(.botTraffic, customer: "nobody", at: time, metadata: [:]))
        XCTAssertTrue(unknown.agentAnalyses.config.analysis.contains("not in the customers file"))
    }

    func testMitreIdsAreValidCatalogueEntriesForEveryType() async throws {
        let knowledge = try EngineKnowledge.embedded()
        let engine = try coordinator()
        let generator = ThreatGenerator(knowledge: knowledge, seed: 7)
        var signals = ThreatType.allCases.flatMap { type in (0..<8).map { _ in generator.signal(type: type, now: time) } }
        signals += ThreatGenerator.Scenario.allCases.map { generator.signal(scenario: $0, now: time) }
        for signal in signals {
            let analysis = await engine.analyze(signal)
            XCTAssertFalse(analysis.mitreTechniques.isEmpty, "\(signal.threatType)")
            XCTAssertFalse(analysis.mitreTactics.isEmpty)
            for technique in analysis.mitreTechniques {
                XCTAssertTrue(technique.id.range(of: #"^T\d{4}(\.\d{3})?$"#, options: .regularExpression) != nil, technique.id)
                XCTAssertEqual(knowledge.catalogue.techniques[technique.id]?.name, technique.name)
            }
            for tactic in analysis.mitreTactics {
                XCTAssertEqual(knowledge.catalogue.tactics[tactic.id]?.name, tactic.name)
            }
            for pair in MitreMapper.pairs(for: AgentInput(signal: signal, knowledge: knowledge, history: HistoryIndex())) {
                let shortname = try XCTUnwrap(knowledge.catalogue.tactics[pair.tactic]?.shortname)
                XCTAssertTrue(knowledge.catalogue.techniques[pair.technique]?.tactics.contains(shortname) == true, "\(pair) is not a catalogue pairing")
            }
        }
    }

    func testTheSameInputGivesTheSameAnalysis() async throws {
        let engine = try coordinator(events: StaticEventSource(events: [
            SupervisorEvent(id: 1, time: time.addingTimeInterval(-60), service: "api", kind: .crashloop, message: "api crash loop"),
        ]))
        let signal = ThreatGenerator(knowledge: try .embedded(), seed: 1).signal(scenario: .botAttack, now: time)
        let first = await engine.analyze(signal)
        let second = await engine.analyze(signal)
        func stable(_ a: ThreatAnalysis) -> [String] {
            [a.severity.rawValue, a.executiveSummary, a.customerNarrative, "\(a.mitreTechniques)", "\(a.mitreTactics)", "\(a.falsePositiveScore)",
             "\(a.responsePlan)", "\(a.requiresHumanReview)", a.reviewReason ?? ""]
                + a.agentAnalyses.all.flatMap { [$0.analysis, "\($0.confidence)", "\($0.keyFindings)", "\($0.recommendations)"] }
                + a.investigationTimeline.events.map(\.phase)
        }
        XCTAssertEqual(stable(first), stable(second))
        XCTAssertNotEqual(first.id, second.id)
    }

    func testSlowOrFailingAgentsBecomePlaceholdersWithConfidenceZero() async throws {
        struct Slow: ThreatAgent {
            let role = AgentRole.context
            func analyze(_ input: AgentInput) async throws -> AgentFinding {
                try await Task.sleep(for: .seconds(60))
                return AgentFinding(analysis: AgentAnalysis(agentName: "x", analysis: "late", confidence: 1, keyFindings: [], recommendations: []))
            }
        }
        struct Broken: ThreatAgent {
            let role = AgentRole.priority
            func analyze(_ input: AgentInput) async throws -> AgentFinding { throw CurlError(message: "model file missing") }
        }
        let agents: [any ThreatAgent] = [HistoricalAgent(), ConfigAgent(), DevopsAgent(source: nil), Slow(), Broken()]
        let engine = ThreatCoordinator(knowledge: try .embedded(), history: HistoryIndex(), agents: agents, configuration: .init(agentTimeout: .milliseconds(300)))
        let started = ContinuousClock.now
        let analysis = await engine.analyze(Signals.make(.deviceCompromise, at: time, metadata: ["indicators": .array([.string("malware_beacon")])]))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(30), "the slow agent must be abandoned at its timeout")
        XCTAssertEqual(analysis.agentAnalyses.context.confidence, 0)
        XCTAssertTrue(analysis.agentAnalyses.context.analysis.contains("timed out after 300 ms"))
        XCTAssertEqual(analysis.agentAnalyses.priority.confidence, 0)
        XCTAssertTrue(analysis.agentAnalyses.priority.analysis.contains("model file missing"))
        XCTAssertTrue(analysis.requiresHumanReview)
        XCTAssertTrue(analysis.reviewReason?.contains("context") == true)
        XCTAssertFalse(analysis.mitreTechniques.isEmpty, "the mapping falls back when the priority agent fails")
        XCTAssertGreaterThan(analysis.agentAnalyses.historical.confidence, 0)
    }

    func testTimelineUsesRealTimestampsInOrder() async throws {
        let received = Date()
        let analysis = try await coordinator().analyze(Signals.make(.proxyNetwork, at: time, metadata: ["source_ip": .string("198.51.100.20")]), receivedAt: received)
        let events = analysis.investigationTimeline.events
        XCTAssertEqual(events.first?.phase, "signal_received")
        XCTAssertEqual(events.first?.timestamp, received)
        XCTAssertEqual(events.last?.phase, "analysis_completed")
        XCTAssertEqual(Set(events.map(\.phase)).isSuperset(of: AgentRole.allCases.map { "\($0.rawValue)_agent" }), true)
        XCTAssertGreaterThanOrEqual(events.last!.timestamp, received)
        XCTAssertLessThan(events.last!.timestamp.timeIntervalSince(received), 30)
        XCTAssertTrue(analysis.mitreTechniques.contains { $0.id == "T1090.003" }, "a Tor exit source calls for multi-hop proxy")
    }
}
