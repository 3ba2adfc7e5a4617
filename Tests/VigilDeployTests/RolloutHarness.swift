import Foundation
import VigilManifest
import VigilSupervisor
import XCTest

@testable import VigilDeploy

/// A rollout machine, a clock that moves only when told, and the timers it scheduled: drives
/// rollouts without processes, routers or sleeps.
struct RolloutHarness {
    typealias Machine = RolloutStateMachine
    typealias Action = RolloutStateMachine.Action

    var machine = Machine(service: "api")
    var now = Date(timeIntervalSince1970: 1_800_000_000)
    /// The latest timer scheduled of each kind (a new one replaces the pending one, as the actor does).
    var timers: [Machine.TimerKind: Machine.Timer] = [:]
    /// Every action list returned, in order.
    var history: [[Action]] = []
    var plan: RolloutPlan

    init(plan: RolloutPlan = RolloutHarness.blueGreen) {
        self.plan = plan
    }

    static let blueGreen = RolloutPlan(
        strategy: .blueGreen, analysis: AnalysisSpec(interval: .seconds(5), window: .seconds(30)),
        drainTimeout: .seconds(10), scaleDownDelay: .seconds(30), progressDeadline: .seconds(300)
    )

    /// Blue-green that waits in `paused` for `vigil promote` before the switch.
    static let blueGreenManualPromote: RolloutPlan = {
        var plan = blueGreen
        plan.autoPromote = false
        return plan
    }()

    static func canary(_ steps: [CanaryStep], autoPromote: Bool = true) -> RolloutPlan {
        var plan = blueGreen
        plan.strategy = .canary
        plan.steps = steps
        plan.autoPromote = autoPromote
        return plan
    }

    /// A service serving r-old on blue.
    static func active(plan: RolloutPlan = blueGreen) -> RolloutHarness {
        var h = RolloutHarness(plan: plan)
        h.send(.activate(color: .blue, revision: "r-old"))
        return h
    }

    @discardableResult
    mutating func send(_ event: Machine.Event) -> [Action] {
        let actions = machine.handle(event, at: now)
        for case .schedule(let timer, _) in actions { timers[timer.kind] = timer }
        history.append(actions)
        return actions
    }

    mutating func advance(_ seconds: TimeInterval) { now = now.addingTimeInterval(seconds) }

    @discardableResult
    mutating func deploy(revision: String = "r-new", fast: Bool = false, trigger: RolloutTrigger = .deploy) -> [Action] {
        send(.begin(RolloutRequest(id: "ro-1", revision: revision, trigger: trigger, fast: fast), plan: plan))
    }

    @discardableResult
    mutating func ready(_ color: Color = .green) -> [Action] { send(.instance(color, .ready)) }

    /// Answers the pending analysis (the current generation).
    @discardableResult
    mutating func verdict(_ verdict: AnalysisVerdict) -> [Action] { send(.analysis(verdict, generation: machine.generation)) }

    @discardableResult
    mutating func fire(_ kind: Machine.TimerKind, file: StaticString = #filePath, line: UInt = #line) -> [Action] {
        guard let timer = timers[kind] else {
            XCTFail("no \(kind) timer was scheduled", file: file, line: line)
            return []
        }
        return send(.timerFired(timer))
    }

    @discardableResult
    mutating func drained(_ color: Color) -> [Action] { send(.drained(color, generation: machine.generation)) }

    var phase: RolloutPhase? { machine.rollout?.phase }

    /// Blue-green up to `verifying` (traffic on green).
    mutating func toVerifying() {
        deploy()
        ready()
        verdict(.pass("no prometheus query"))
    }

    /// Blue-green up to `warm` (promoted, blue drained).
    mutating func toWarm() {
        toVerifying()
        fire(.verifyWindow)
        verdict(.pass("error rate 0.0% over 30s (200 requests)"))
        drained(.blue)
    }
}

extension RolloutStateMachine.Action {
    /// Changes the world outside `vigil.db`: processes or routing.
    var isEffect: Bool {
        switch self {
        case .startColor, .stopColor, .applyWeights: true
        default: false
        }
    }

    var persisted: DeploymentRecord? {
        if case .persist(let record) = self { record } else { nil }
    }
}

extension Array where Element == RolloutStateMachine.Action {
    var weightsApplied: [[Color: Int]] { compactMap { if case .applyWeights(let w) = $0 { w } else { nil } } }
    var analyses: [AnalysisStage] { compactMap { if case .analyze(_, let stage, _, _) = $0 { stage } else { nil } } }
    var persistedPhases: [RolloutPhase] { compactMap { $0.persisted?.rollout?.phase } }
    var finished: RolloutResult? { lazy.compactMap { if case .finished(let result, _) = $0 { result } else { nil } }.first }
    func recorded(_ kind: EventKind) -> [String] {
        compactMap { if case .record(kind, _, _, let message) = $0 { message } else { nil } }
    }
}
