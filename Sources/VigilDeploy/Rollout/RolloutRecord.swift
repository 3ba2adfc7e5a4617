import Foundation
import VigilManifest
import VigilSupervisor

/// One rollout as `vigil.db` keeps it (table `rollout`), rewritten at every step before the step
/// takes effect, and as `vigil history --json` shows it (absent values as `null`).
public struct RolloutRecord: Sendable, Equatable, Codable {
    /// `ro-` and 8 hex digits.
    public var id: String
    public var service: String
    public var trigger: RolloutTrigger
    /// The revision being rolled out, on `to`.
    public var revision: String
    /// The revision that was active when it started, on `from`.
    public var previousRevision: String
    public var from: Color
    public var to: Color
    public var phase: RolloutPhase
    /// Index of the canary step in progress (`steps.count` once they are all done).
    public var step: Int
    /// Traffic percentage per color; they sum to 100.
    public var weights: [Color: Int]
    /// No analysis, no pauses, no steps: the path of `vigil rollback`.
    public var fast: Bool
    /// `vigil promote` was asked: pauses and remaining steps are skipped.
    public var promoteRequested: Bool
    public var startedAt: Date
    public var updatedAt: Date
    @ExplicitNull public var finishedAt: Date?
    @ExplicitNull public var result: RolloutResult?
    /// Why it was rolled back or aborted, or how a promotion was decided.
    @ExplicitNull public var reason: String?

    public init(
        id: String, service: String, trigger: RolloutTrigger, revision: String, previousRevision: String,
        from: Color, to: Color, phase: RolloutPhase = .starting, step: Int = 0, weights: [Color: Int]? = nil,
        fast: Bool = false, promoteRequested: Bool = false, startedAt: Date, updatedAt: Date? = nil,
        finishedAt: Date? = nil, result: RolloutResult? = nil, reason: String? = nil
    ) {
        self.id = id
        self.service = service
        self.trigger = trigger
        self.revision = revision
        self.previousRevision = previousRevision
        self.from = from
        self.to = to
        self.phase = phase
        self.step = step
        self.weights = weights ?? [from: 100, to: 0]
        self.fast = fast
        self.promoteRequested = promoteRequested
        self.startedAt = startedAt
        self.updatedAt = updatedAt ?? startedAt
        self.finishedAt = finishedAt
        self.result = result
        self.reason = reason
    }

    public func weight(_ color: Color) -> Int { weights[color] ?? 0 }

    /// The weights as phase events and `vigil deploy --wait` show them, the new color first:
    /// `green 10% / blue 90%`.
    public var weightsDescription: String {
        "\(to.rawValue) \(weight(to))% / \(from.rawValue) \(weight(from))%"
    }
}

/// What a blue-green service is serving (table `deployment`, one row a service) and the
/// rollout that is changing it, if any. The unit of ``RolloutStateMachine.Action.persist(_:)``:
/// both are written in one transaction.
public struct DeploymentRecord: Sendable, Equatable, Codable {
    public var service: String
    /// The color with the traffic (during canary steps: the old one, until the switch).
    public var activeColor: Color
    public var activeRevision: String
    /// The revision active before the last completed rollout: what `vigil rollback` goes back to.
    public var previousRevision: String?
    /// The current rollout, or the last one (finished).
    public var rollout: RolloutRecord?

    public init(service: String, activeColor: Color, activeRevision: String, previousRevision: String? = nil, rollout: RolloutRecord? = nil) {
        self.service = service
        self.activeColor = activeColor
        self.activeRevision = activeRevision
        self.previousRevision = previousRevision
        self.rollout = rollout
    }
}

/// The settings of one rollout, taken from the `deploy` section of the revision being rolled out.
public struct RolloutPlan: Sendable, Equatable {
    public var strategy: DeployStrategy
    public var steps: [CanaryStep]
    public var analysis: AnalysisSpec
    public var autoPromote: Bool
    public var drainTimeout: Duration
    public var scaleDownDelay: Duration
    public var progressDeadline: Duration

    public init(
        strategy: DeployStrategy = .blueGreen, steps: [CanaryStep] = [], analysis: AnalysisSpec = .init(), autoPromote: Bool = true,
        drainTimeout: Duration = .seconds(30), scaleDownDelay: Duration = .seconds(30), progressDeadline: Duration = .seconds(300)
    ) {
        self.strategy = strategy
        self.steps = steps
        self.analysis = analysis
        self.autoPromote = autoPromote
        self.drainTimeout = drainTimeout
        self.scaleDownDelay = scaleDownDelay
        self.progressDeadline = progressDeadline
    }

    public init(_ deploy: DeploySpec) {
        self.init(
            strategy: deploy.strategy, steps: deploy.strategy == .canary ? deploy.steps : [], analysis: deploy.analysis,
            autoPromote: deploy.autoPromote, drainTimeout: deploy.drainTimeout, scaleDownDelay: deploy.scaleDownDelay,
            progressDeadline: deploy.progressDeadline
        )
    }
}

/// What starts a rollout (``RolloutStateMachine.Event.begin(_:plan:)``).
public struct RolloutRequest: Sendable, Equatable {
    public var id: String
    public var revision: String
    /// For messages: `r-3f2a9c1b (v2)`.
    public var label: String
    public var trigger: RolloutTrigger
    public var fast: Bool

    public init(id: String, revision: String, label: String? = nil, trigger: RolloutTrigger = .deploy, fast: Bool = false) {
        self.id = id
        self.revision = revision
        self.label = label ?? revision
        self.trigger = trigger
        self.fast = fast
    }
}
