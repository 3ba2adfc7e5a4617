import Foundation
import VigilManifest
import VigilSupervisor

/// The rollouts of one blue-green service as a pure value: it takes an event (a deploy, an
/// instance becoming ready or crashing, an analysis verdict, a drained color, a timer, an
/// operator's promote or rollback) with the current time and returns the actions to perform.
///
/// It does no I/O and reads no clock, so every phase, every rollback cause and every resume
/// decision is tested by feeding events (`RolloutStateMachineTests`); ``DeployedService``
/// performs the actions.
///
/// Two promises are built into the action lists:
/// - **Persist, then act**: every change of phase, weights or active color starts with
///   ``Action/persist(_:)`` of the whole ``DeploymentRecord``; the effects follow it.
/// - **Stale timers do nothing**: timers, analyses and drain watches carry the generation of the
///   step that asked for them; each persisted step starts a new generation. The progress deadline
///   has its own generation, per rollout.
///
/// With ``standby`` `warm`, the idle color is never left stopped outside a rollout: wherever a
/// cold service would stop it (or not start it), it is started with the active revision as the
/// hot spare that ``StandbyFailover`` sends traffic to. During a rollout the idle color is the
/// rollout's, exactly as with `cold`.
public struct RolloutStateMachine: Sendable {
    public enum TimerKind: String, Sendable, Hashable {
        /// `progressDeadline` since the rollout started (suspended while waiting for `vigil promote`).
        case progressDeadline
        /// Time for the next periodic analysis (`analysis.interval`).
        case analysisInterval
        /// A timed canary `pause` is over.
        case pauseEnd
        /// `analysis.window` has passed since the switch: the post-promotion verdict may be given.
        case verifyWindow
        /// `drainTimeout` is over: stop waiting for in-flight requests.
        case drainTimeout
        /// `scaleDownDelay` is over: stop the old color.
        case scaleDown
        /// Applying weights failed while rolling back: try again.
        case routeRetry
    }

    public typealias Timer = GenerationTimer<TimerKind>

    /// What the instances of a color reported.
    public enum InstanceObservation: Sendable, Equatable {
        case ready
        /// Alive but not ready (still starting, or readiness lost).
        case notReady
        /// The process exited, was restarted, or gave up.
        case crashed(String)
    }

    public enum Event: Sendable, Equatable {
        /// First start of a service with no record: serve `revision` on `color`.
        case activate(color: Color, revision: String)
        /// Vigil started with this record in `vigil.db`; `plan` is that of the recorded
        /// rollout's revision (nil without one).
        case restore(DeploymentRecord, plan: RolloutPlan?)
        /// Start a rollout to the idle color.
        case begin(RolloutRequest, plan: RolloutPlan)
        case instance(Color, InstanceObservation)
        case analysis(AnalysisVerdict, generation: Int)
        /// In-flight requests to the color reached zero.
        case drained(Color, generation: Int)
        /// The router refused the last ``Action/applyWeights(_:)``; the rest of that action list was not performed.
        case routerFailed(String)
        case timerFired(Timer)
        /// `vigil promote`.
        case promote
        /// `vigil promote --step`: end the operator's pause the rollout waits at and go on with
        /// the steps after it (Argo Rollouts' `promote` without `--full`).
        case resume
        /// `vigil rollback` during a rollout or while the old color is warm.
        case rollback(reason: String)
        /// The service is being stopped or replaced: end the rollout without touching traffic.
        case abort(reason: String)
    }

    public enum Action: Sendable, Equatable {
        /// Write the record to `vigil.db`; always before the effects it announces.
        case persist(DeploymentRecord)
        /// Start the color with this revision, replacing whatever ran on it.
        case startColor(Color, revision: String)
        /// Stop the color (graceful, then SIGKILL after `stop.timeout`).
        case stopColor(Color)
        /// Route new requests by these weights. On failure, skip the rest of the list and send `.routerFailed`.
        case applyWeights([Color: Int])
        /// Send `.timerFired(timer)` after the delay, replacing a pending timer of the same kind.
        case schedule(Timer, after: Duration)
        /// Judge the color over the trailing window; answer with `.analysis(verdict, generation:)`.
        case analyze(Color, stage: AnalysisStage, window: Duration, generation: Int)
        /// Send `.drained(color, generation:)` once the color has no request in flight.
        case watchDrain(Color, generation: Int)
        /// Write an event to the event log.
        case record(EventKind, color: Color?, reason: String?, message: String)
        /// The rollout ended (metrics, `deploy --wait`).
        case finished(RolloutResult, reason: String?)
    }

    public let service: String
    /// `deploy.standby` of the service: `warm` keeps the idle color running the active revision
    /// between rollouts. Read when a color would be stopped or left idle, so a reload that
    /// changes it applies from the next such moment.
    public var standby: StandbyMode
    public internal(set) var deployment: DeploymentRecord?
    /// Settings of the current rollout.
    public internal(set) var plan: RolloutPlan?
    /// Generation of the current step; timers, analyses and drain watches of older ones are ignored.
    public internal(set) var generation = 0
    var deadlineGeneration = 0
    var newColorReady = false
    var windowElapsed = false
    var analysisInFlight = false
    /// A timed pause ended and its share is being judged before the next step.
    var awaitingGate = false
    var lastVerdict: AnalysisVerdict?

    public init(service: String, standby: StandbyMode = .cold) {
        self.service = service
        self.standby = standby
    }

    /// The current or last rollout.
    public var rollout: RolloutRecord? { deployment?.rollout }

    /// The rollout in progress, nil when none is.
    public var activeRollout: RolloutRecord? {
        guard let rollout = deployment?.rollout, !rollout.phase.isFinished else { return nil }
        return rollout
    }

    /// Applies one event and returns the actions to perform, in order.
    public mutating func handle(_ event: Event, at now: Date) -> [Action] {
        var actions: [Action] = []
        switch event {
        case .activate(let color, let revision): activate(color: color, revision: revision, &actions)
        case .restore(let record, let plan): restore(record, plan: plan, at: now, &actions)
        case .begin(let request, let plan): begin(request, plan: plan, at: now, &actions)
        case .instance(let color, let observation): onInstance(color, observation, at: now, &actions)
        case .analysis(let verdict, let generation):
            guard generation == self.generation, analysisInFlight else { break }
            analysisInFlight = false
            onVerdict(verdict, at: now, &actions)
        case .drained(let color, let generation):
            guard generation == self.generation else { break }
            onDrained(color, at: now, &actions)
        case .routerFailed(let message): onRouterFailed(message, at: now, &actions)
        case .timerFired(let timer): onTimer(timer, at: now, &actions)
        case .promote: onPromote(at: now, &actions)
        case .resume: onResume(at: now, &actions)
        case .rollback(let reason): beginRollback(cause: "manual", reason: reason, at: now, &actions)
        case .abort(let reason): abort(reason: reason, at: now, &actions)
        }
        return actions
    }

    // MARK: - Shared steps

    /// Changes the rollout, starts a new generation and persists the record: the first action of
    /// every step.
    mutating func commit(at now: Date, _ actions: inout [Action], _ change: (inout RolloutRecord) -> Void) {
        guard var rollout = deployment?.rollout else { return }
        change(&rollout)
        rollout.updatedAt = now
        deployment?.rollout = rollout
        generation += 1
        analysisInFlight = false
        awaitingGate = false
        actions.append(.persist(deployment!))
    }

    /// Enters `phase` (persisted) and records the phase change.
    mutating func enter(_ phase: RolloutPhase, at now: Date, _ actions: inout [Action], detail: String? = nil, _ change: (inout RolloutRecord) -> Void = { _ in }) {
        commit(at: now, &actions) {
            $0.phase = phase
            change(&$0)
        }
        guard let rollout else { return }
        let text = "rollout \(rollout.id): \(phase.rawValue) (\(rollout.weightsDescription))" + (detail.map { "; \($0)" } ?? "")
        actions.append(.record(.rolloutPhase, color: rollout.to, reason: phase.rawValue, message: text))
    }

    mutating func requestAnalysis(_ stage: AnalysisStage, at now: Date, _ actions: inout [Action]) {
        guard let rollout, let plan, !analysisInFlight else { return }
        analysisInFlight = true
        // Stats of the new color from before this rollout (an earlier one on the same color)
        // must not count: the window never reaches back past the rollout's start.
        let sinceStart = Duration.milliseconds(Int64(max(1000, now.timeIntervalSince(rollout.startedAt) * 1000)))
        actions.append(.analyze(rollout.to, stage: stage, window: min(plan.analysis.window, sinceStart), generation: generation))
    }

    func scheduleNextAnalysis(_ actions: inout [Action]) {
        guard let plan else { return }
        actions.append(.schedule(Timer(.analysisInterval, generation: generation), after: plan.analysis.interval))
    }

    mutating func scheduleDeadline(_ actions: inout [Action]) {
        guard let plan else { return }
        deadlineGeneration += 1
        actions.append(.schedule(Timer(.progressDeadline, generation: deadlineGeneration), after: plan.progressDeadline))
    }

    /// The deadline no longer applies (promotion decided, rollback, or waiting for an operator).
    mutating func cancelDeadline() { deadlineGeneration += 1 }

    /// What becomes of `color` when no rollout needs it: with a warm standby it (re)starts with
    /// the active revision, replacing whatever ran there; cold, it stops.
    func retire(_ color: Color, _ actions: inout [Action]) {
        guard standby == .warm, let deployment else { return actions.append(.stopColor(color)) }
        actions.append(.startColor(color, revision: deployment.activeRevision))
    }

    /// The phase detail for ``retire(_:_:)``: `stopping blue`, or `blue restarts with r-... as the warm standby`.
    func retiring(_ color: Color) -> String {
        guard standby == .warm, let deployment else { return "stopping \(color.rawValue)" }
        return "\(color.rawValue) restarts with \(deployment.activeRevision) as the warm standby"
    }

    /// Starts the warm standby on the idle color (nothing when cold: the idle color stays stopped).
    func startStandby(_ actions: inout [Action]) {
        guard standby == .warm, let deployment else { return }
        actions.append(.startColor(deployment.activeColor.other, revision: deployment.activeRevision))
    }
}
