import Foundation
import VigilSupervisor

/// Reads what the supervisor itself did around the signal's time (rollouts, restarts, crash
/// loops, reclaims) from Vigil's control API: "a rollout of api 4 minutes earlier" makes an
/// anomaly look like a deployment side effect. When Vigil cannot be reached it says so and
/// lowers its confidence.
public struct DevopsAgent: ThreatAgent {
    public let role = AgentRole.devops
    /// Nil when no control API is configured (`VIGIL_CONTROL` unset).
    public let source: (any EventSource)?
    /// How far before the signal events count.
    public let before: TimeInterval
    /// How far after the signal events count (clock skew, events logged late).
    public let after: TimeInterval

    public init(source: (any EventSource)?, before: TimeInterval = 900, after: TimeInterval = 120) {
        self.source = source
        self.before = before
        self.after = after
    }

    static let changeKinds: Set<EventKind> = [.rolloutStarted, .rolloutPhase, .promoted, .rolledBack, .restarted, .crashloop, .reclaimed]
    static let watchedKinds = changeKinds.union([.probeFailed, .exited])

    public func analyze(_ input: AgentInput) async throws -> AgentFinding {
        let time = input.signal.timestamp
        guard let source else {
            return unchecked("Vigil's control API is not configured (VIGIL_CONTROL unset), so supervisor events around the signal could not be checked.",
                             confidence: 0.3, finding: "No Vigil control API configured",
                             recommendation: "Set VIGIL_CONTROL to the control socket so rollouts and restarts are taken into account")
        }
        let events: [SupervisorEvent]
        do {
            events = try await source.events(since: time.addingTimeInterval(-before))
        } catch {
            return unchecked("Vigil at \(source.location) is not reachable (\(error)); rollouts, restarts and crash loops near the signal could not be checked.",
                             confidence: 0.2, finding: "Vigil unreachable at \(source.location): \(error)",
                             recommendation: "Check that Vigil is running and its control socket is readable by the engine")
        }
        let window = events.filter { Self.watchedKinds.contains($0.kind) && $0.time >= time.addingTimeInterval(-before) && $0.time <= time.addingTimeInterval(after) }
            .sorted { ($0.time, $0.id ?? 0) < ($1.time, $1.id ?? 0) }
        var operations = OperationalContext()
        var findings: [String] = []
        // Services whose rollout in the window is already counted: a rollback ends the rollout
        // that started it (and is recorded again on every router retry), so it counts only when
        // that rollout started before the window.
        var rolledOut: Set<String> = []
        for event in window {
            switch event.kind {
            case .rolloutStarted:
                operations.rollouts += 1
                rolledOut.insert(event.service)
            case .rolledBack:
                if rolledOut.insert(event.service).inserted { operations.rollouts += 1 }
            case .restarted: operations.restarts += 1
            case .crashloop: operations.crashLoops += 1
            case .reclaimed: operations.reclaims += 1
            case .probeFailed: operations.probeFailures += 1
            default: break
            }
            if Self.changeKinds.contains(event.kind) {
                let gap = time.timeIntervalSince(event.time)
                operations.secondsSinceLastChange = min(operations.secondsSinceLastChange ?? .infinity, max(0, gap))
            }
            findings.append(Self.describe(event, relativeTo: time))
        }
        if window.isEmpty {
            let text = "Vigil reports no rollouts, restarts, crash loops or reclaims in the \(Say.duration(before)) before the signal: no operational explanation."
            return AgentFinding(analysis: analysis(text, confidence: 0.7, findings: ["No supervisor events near the signal (\(events.count) events checked from \(source.location))"],
                recommendations: ["Treat the signal on its security merits; the platform was stable"]), operations: operations)
        }
        var recommendations: [String] = []
        if operations.rollouts > 0 {
            recommendations.append("Check whether the recent rollout changed traffic patterns before blocking; roll back if the new version misbehaves")
        }
        if operations.crashLoops > 0 || operations.restarts > 0 {
            recommendations.append("Correlate with the service restarts: retries after crashes can look like bursts")
        }
        if operations.probeFailures > 0 {
            recommendations.append("Probe failures near the signal: check service health before attributing errors to an attacker")
        }
        let text = "Vigil recorded \(OperationalContext.describe(operations))\(operations.probeFailures > 0 ? " and \(Say.plural(operations.probeFailures, "probe failure"))" : "") within \(Say.duration(before)) of the signal; \(operations.hasChanges ? "an operational change may explain part of it" : "the platform itself did not change")."
        return AgentFinding(analysis: analysis(text, confidence: 0.85, findings: findings, recommendations: recommendations), operations: operations)
    }

    /// The finding when Vigil's events could not be read (`operations.reachable` false).
    private func unchecked(_ text: String, confidence: Double, finding: String, recommendation: String) -> AgentFinding {
        var operations = OperationalContext()
        operations.reachable = false
        return AgentFinding(analysis: analysis(text, confidence: confidence, findings: [finding], recommendations: [recommendation]), operations: operations)
    }

    /// "rollout_started: api (green) 4 minutes before the signal: <message>".
    static func describe(_ event: SupervisorEvent, relativeTo time: Date) -> String {
        let gap = time.timeIntervalSince(event.time)
        let when = gap >= 0 ? "\(Say.duration(gap)) before the signal" : "\(Say.duration(-gap)) after the signal"
        let kind = event.kind.rawValue.replacingOccurrences(of: "_", with: " ")
        let service = event.service + (event.color.map { " (\($0))" } ?? "")
        let reason = event.reason.map { ", reason \($0)" } ?? ""
        return "\(kind.prefix(1).uppercased() + kind.dropFirst()) of \(service) \(when)\(reason): \(event.message)"
    }
}
