import VigilManifest
import XCTest

@testable import VigilDeploy

/// Where a warm standby's traffic goes, decided from readiness alone: no processes, no sleeps.
final class StandbyFailoverTests: XCTestCase {
    private func situation(activeReady: Bool, standbyReady: Bool, enabled: Bool = true, active: Color = .blue) -> StandbyFailover.Situation {
        .init(active: active, activeReady: activeReady, standbyReady: standbyReady, enabled: enabled)
    }

    func testBothReadyKeepsTrafficOnTheActiveColor() {
        let failover = StandbyFailover()
        XCTAssertNil(failover.decide(situation(activeReady: true, standbyReady: true)))
        XCTAssertFalse(failover.isFailedOver)
    }

    func testActiveNotReadyAndStandbyReadyFailsOverToTheStandby() {
        var failover = StandbyFailover()
        let decision = failover.decide(situation(activeReady: false, standbyReady: true))
        XCTAssertEqual(decision, .failover(to: .green))
        XCTAssertEqual(decision?.weights, [.green: 100, .blue: 0])
        XCTAssertFalse(failover.isFailedOver, "nothing changes until the router took the weights")
        failover.applied(decision!)
        XCTAssertEqual(failover.servingStandby, .green)
        XCTAssertNil(failover.decide(situation(activeReady: false, standbyReady: true)), "already on the standby")
    }

    func testTheActiveColorReadyAgainGetsTheTrafficBack() {
        var failover = StandbyFailover()
        failover.applied(.failover(to: .green))
        let decision = failover.decide(situation(activeReady: true, standbyReady: true))
        XCTAssertEqual(decision, .failback(to: .blue))
        XCTAssertEqual(decision?.weights, [.blue: 100, .green: 0])
        failover.applied(decision!)
        XCTAssertFalse(failover.isFailedOver)
    }

    func testAnActiveColorStillComingUpIsNotAFailover() {
        let failover = StandbyFailover()
        let starting = StandbyFailover.Situation(active: .blue, activeReady: false, activeHasServed: false, standbyReady: true, enabled: true)
        XCTAssertNil(failover.decide(starting), "at start-up traffic waits for the active color, whichever is ready first")
    }

    func testNeitherReadyLeavesTrafficWhereItIs() {
        var failover = StandbyFailover()
        XCTAssertNil(failover.decide(situation(activeReady: false, standbyReady: false)), "no standby to move to")
        failover.applied(.failover(to: .green))
        XCTAssertNil(failover.decide(situation(activeReady: false, standbyReady: false)), "moving back to a color that is not ready helps nobody")
        XCTAssertEqual(failover.decide(situation(activeReady: true, standbyReady: false)), .failback(to: .blue), "the first color ready again serves")
    }

    func testOffItNeverFailsOverAndHandsTrafficBack() {
        var failover = StandbyFailover()
        XCTAssertNil(failover.decide(situation(activeReady: false, standbyReady: true, enabled: false)), "cold, or a rollout in progress")
        failover.applied(.failover(to: .green))
        XCTAssertEqual(failover.decide(situation(activeReady: false, standbyReady: true, enabled: false)), .failback(to: .blue),
                       "a rollout is about to replace the standby: traffic goes back even though the active color is not ready")
    }

    func testTheStandbyIsAlwaysTheOtherColorOfTheActiveOne() {
        var failover = StandbyFailover()
        let decision = failover.decide(situation(activeReady: false, standbyReady: true, active: .green))
        XCTAssertEqual(decision, .failover(to: .blue))
        failover.applied(decision!)
        XCTAssertNil(failover.decide(situation(activeReady: true, standbyReady: true, active: .blue)),
                     "traffic already on the color that is active now is not a failover to undo")
    }
}

/// What the rollout machine starts and stops with `standby: warm`: the idle color runs the
/// active revision whenever no rollout needs it; with `cold` nothing changes (the rest of
/// `RolloutStateMachineTests` runs cold).
final class RolloutStateMachineStandbyTests: XCTestCase {
    private typealias Action = RolloutStateMachine.Action

    private func warm(plan: RolloutPlan = RolloutHarness.blueGreen) -> RolloutHarness {
        var harness = RolloutHarness(plan: plan)
        harness.machine.standby = .warm
        return harness
    }

    private func colorActions(_ actions: [Action]) -> [Action] {
        actions.filter {
            switch $0 {
            case .startColor, .stopColor, .applyWeights: true
            default: false
            }
        }
    }

    func testActivationStartsBothColorsWithTheRevisionAndTrafficOnTheActiveOne() {
        var harness = warm()
        let actions = harness.send(.activate(color: .blue, revision: "r-old"))
        XCTAssertEqual(colorActions(actions), [
            .startColor(.blue, revision: "r-old"), .applyWeights([.blue: 100, .green: 0]), .startColor(.green, revision: "r-old"),
        ])
    }

    func testColdActivationStartsOnlyTheActiveColor() {
        var harness = RolloutHarness()
        let actions = harness.send(.activate(color: .blue, revision: "r-old"))
        XCTAssertEqual(colorActions(actions), [.startColor(.blue, revision: "r-old"), .applyWeights([.blue: 100, .green: 0])])
    }

    func testRestoreWithoutARolloutStartsTheStandbyToo() {
        var harness = warm()
        let record = DeploymentRecord(service: "api", activeColor: .green, activeRevision: "r-new", previousRevision: "r-old")
        let actions = harness.send(.restore(record, plan: nil))
        XCTAssertEqual(colorActions(actions), [
            .startColor(.green, revision: "r-new"), .applyWeights([.green: 100, .blue: 0]), .startColor(.blue, revision: "r-new"),
        ])
    }

    func testRestoreMidRolloutLeavesTheIdleColorToTheRollout() {
        var harness = warm()
        let rollout = RolloutRecord(id: "ro-1", service: "api", trigger: .deploy, revision: "r-new", previousRevision: "r-old",
                                    from: .blue, to: .green, phase: .analyzing, startedAt: harness.now)
        let record = DeploymentRecord(service: "api", activeColor: .blue, activeRevision: "r-old", rollout: rollout)
        let actions = harness.send(.restore(record, plan: harness.plan))
        XCTAssertEqual(colorActions(actions), [
            .startColor(.blue, revision: "r-old"), .applyWeights([.blue: 100, .green: 0]), .startColor(.green, revision: "r-new"),
        ])
    }

    func testRestoreInWarmPhaseCompletesAndBringsTheOldColorBackAsStandby() {
        var harness = warm()
        let rollout = RolloutRecord(id: "ro-1", service: "api", trigger: .deploy, revision: "r-new", previousRevision: "r-old",
                                    from: .blue, to: .green, phase: .warm, weights: [.green: 100, .blue: 0], startedAt: harness.now)
        let record = DeploymentRecord(service: "api", activeColor: .green, activeRevision: "r-new", rollout: rollout)
        let actions = harness.send(.restore(record, plan: harness.plan))
        XCTAssertEqual(colorActions(actions), [
            .startColor(.green, revision: "r-new"), .applyWeights([.green: 100, .blue: 0]), .startColor(.blue, revision: "r-new"),
        ])
    }

    func testRestoreWhileRollingBackRestartsTheFailedColorAsStandbyOnce() {
        var harness = warm()
        let rollout = RolloutRecord(id: "ro-1", service: "api", trigger: .deploy, revision: "r-new", previousRevision: "r-old",
                                    from: .blue, to: .green, phase: .rollingBack, startedAt: harness.now, result: .rolledBack)
        let record = DeploymentRecord(service: "api", activeColor: .blue, activeRevision: "r-old", rollout: rollout)
        let actions = harness.send(.restore(record, plan: harness.plan))
        XCTAssertEqual(colorActions(actions), [
            .startColor(.green, revision: "r-old"), .startColor(.blue, revision: "r-old"), .applyWeights([.blue: 100, .green: 0]),
        ])
    }

    func testACompletedRolloutRestartsTheOldColorWithTheNewRevision() {
        var harness = warm()
        harness.send(.activate(color: .blue, revision: "r-old"))
        let begin = harness.send(.begin(RolloutRequest(id: "ro-1", revision: "r-new", fast: true), plan: harness.plan))
        XCTAssertEqual(colorActions(begin), [.startColor(.green, revision: "r-new")], "the rollout replaces the standby, as with a cold idle color")
        harness.send(.instance(.green, .ready))
        harness.send(.drained(.blue, generation: harness.machine.generation))
        XCTAssertEqual(harness.machine.rollout?.phase, .warm)
        let scaleDown = harness.send(.timerFired(harness.timers[.scaleDown]!))
        XCTAssertEqual(harness.machine.rollout?.phase, .completed)
        XCTAssertEqual(colorActions(scaleDown), [.startColor(.blue, revision: "r-new")], "the old color becomes the standby, not stopped")
        XCTAssertEqual(harness.machine.deployment?.activeColor, .green)
    }

    func testARollbackRestartsTheFailedColorWithTheActiveRevision() {
        var harness = warm()
        harness.send(.activate(color: .blue, revision: "r-old"))
        harness.send(.begin(RolloutRequest(id: "ro-1", revision: "r-new"), plan: harness.plan))
        harness.send(.instance(.green, .crashed("exited")))
        XCTAssertEqual(harness.machine.rollout?.phase, .rollingBack)
        let finished = harness.send(.drained(.green, generation: harness.machine.generation))
        XCTAssertEqual(harness.machine.rollout?.phase, .rolledBack)
        XCTAssertEqual(colorActions(finished), [.startColor(.green, revision: "r-old")])
    }
}
