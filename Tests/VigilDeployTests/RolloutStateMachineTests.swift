import Foundation
import VigilManifest
import XCTest

@testable import VigilDeploy

/// Every phase, rollback cause, operator command and resume decision of the rollout machine,
/// driven by events and a hand-moved clock: no processes, no router, no sleeps.
final class RolloutStateMachineTests: XCTestCase {
    typealias H = RolloutHarness

    // MARK: - The forward path

    func testActivationPersistsThenStartsTheColorWithAllTraffic() {
        var h = H()
        let actions = h.send(.activate(color: .blue, revision: "r-1"))
        XCTAssertEqual(actions, [
            .persist(DeploymentRecord(service: "api", activeColor: .blue, activeRevision: "r-1")),
            .startColor(.blue, revision: "r-1"),
            .applyWeights([.blue: 100, .green: 0]),
        ])
    }

    func testBlueGreenGoesThroughEveryPhaseToCompleted() {
        var h = H.active()
        let begin = h.deploy()
        XCTAssertEqual(begin.first?.persisted?.rollout?.phase, .starting)
        XCTAssertTrue(begin.contains(.startColor(.green, revision: "r-new")))
        XCTAssertEqual(h.timers[.progressDeadline].map { _ in true }, true)
        XCTAssertTrue(begin.weightsApplied.isEmpty, "no traffic moves before the new color is ready")

        let ready = h.ready()
        XCTAssertEqual(h.phase, .analyzing)
        XCTAssertEqual(ready.analyses, [.prePromotion])

        let switched = h.verdict(.pass("no prometheus query"))
        XCTAssertEqual(h.phase, .verifying)
        XCTAssertEqual(switched.weightsApplied, [[.green: 100, .blue: 0]])
        XCTAssertEqual(h.machine.deployment?.activeColor, .green)
        XCTAssertEqual(h.machine.deployment?.activeRevision, "r-new")

        h.advance(30)
        XCTAssertEqual(h.fire(.verifyWindow).analyses, [.postPromotion])
        let promoted = h.verdict(.pass("error rate 0.0% over 30s (200 requests)"))
        XCTAssertEqual(h.phase, .draining)
        XCTAssertEqual(promoted.recorded(.promoted).count, 1)
        XCTAssertTrue(promoted.contains(.watchDrain(.blue, generation: h.machine.generation)))

        let drained = h.drained(.blue)
        XCTAssertEqual(h.phase, .warm)
        XCTAssertFalse(drained.contains(.stopColor(.blue)), "the old color stays warm for scaleDownDelay")

        let done = h.fire(.scaleDown)
        XCTAssertEqual(h.phase, .completed)
        XCTAssertTrue(done.contains(.stopColor(.blue)))
        XCTAssertEqual(done.finished, .promoted)
        XCTAssertEqual(h.machine.deployment?.previousRevision, "r-old", "what `vigil rollback` goes back to")
        XCTAssertNil(h.machine.activeRollout)
        XCTAssertEqual(h.history.flatMap { $0 }.persistedPhases,
                       [.starting, .analyzing, .verifying, .draining, .warm, .completed])
    }

    func testEveryEffectIsPrecededByAPersistOfTheRecordThatAnnouncesIt() {
        var happy = H.active()
        happy.toWarm()
        happy.fire(.scaleDown)
        var crashed = H.active()
        crashed.toVerifying()
        crashed.send(.instance(.green, .crashed("exit 1")))
        crashed.drained(.green)
        for list in happy.history + crashed.history {
            guard let effect = list.firstIndex(where: \.isEffect) else { continue }
            let persist = list.firstIndex { $0.persisted != nil }
            XCTAssertNotNil(persist, "effects without a persist: \(list)")
            XCTAssertLessThan(persist ?? .max, effect, "persist must come first: \(list)")
        }
        // And the persisted weights are those applied right after.
        for list in happy.history + crashed.history {
            for (index, action) in list.enumerated() {
                guard case .applyWeights(let weights) = action else { continue }
                let record = list[..<index].compactMap(\.persisted).last
                XCTAssertEqual(record?.rollout?.weights ?? [record!.activeColor: 100, record!.activeColor.other: 0], weights)
            }
        }
    }

    func testPostPromotionPassBeforeTheWindowEndsKeepsJudging() {
        var h = H.active()
        h.toVerifying()
        h.advance(5)
        h.fire(.analysisInterval)
        let early = h.verdict(.pass("error rate 0.0% over 5s (40 requests)"))
        XCTAssertEqual(h.phase, .verifying, "a pass counts only once analysis.window has passed")
        XCTAssertTrue(early.contains { if case .schedule(let t, .seconds(5)) = $0 { t.kind == .analysisInterval } else { false } })
        h.advance(25)
        h.fire(.verifyWindow)
        h.verdict(.pass("error rate 0.0% over 30s (240 requests)"))
        XCTAssertEqual(h.phase, .draining)
    }

    func testAnalysisWindowNeverReachesBackBeforeTheRolloutStarted() {
        var h = H.active()
        h.deploy()
        h.advance(4)
        let ready = h.ready()
        guard case .analyze(.green, _, let window, _)? = ready.first(where: { if case .analyze = $0 { true } else { false } }) else {
            return XCTFail("no analysis: \(ready)")
        }
        XCTAssertEqual(window, .seconds(4), "stats of an earlier rollout on green must not count")
    }

    func testInconclusivePostPromotionAnalysisPromotesAtTheDeadlineWithTheReason() {
        var h = H.active()
        h.toVerifying()
        h.fire(.verifyWindow)
        h.verdict(.inconclusive("3 requests < minRequests 20 over 30s"))
        XCTAssertEqual(h.phase, .verifying, "inconclusive: keep waiting")
        let decided = h.fire(.progressDeadline)
        XCTAssertEqual(h.phase, .draining)
        XCTAssertTrue(h.machine.rollout?.reason?.contains("without a conclusive one: 3 requests < minRequests 20") == true, "\(h.machine.rollout?.reason ?? "")")
        XCTAssertEqual(decided.recorded(.promoted).count, 1)
    }

    // MARK: - Rollback causes

    func testNeverReadyRevisionRollsBackAtTheDeadlineWithoutTouchingTraffic() {
        var h = H.active()
        h.deploy()
        h.send(.instance(.green, .notReady))
        XCTAssertEqual(h.phase, .starting, "not ready yet is not a readiness loss")
        let back = h.fire(.progressDeadline)
        XCTAssertEqual(h.phase, .rollingBack)
        XCTAssertTrue(back.weightsApplied.isEmpty, "green never had traffic")
        XCTAssertTrue(back.contains(.watchDrain(.green, generation: h.machine.generation)))
        XCTAssertEqual(back.recorded(.rolledBack).count, 1)
        let stopped = h.drained(.green)
        XCTAssertEqual(h.phase, .rolledBack)
        XCTAssertTrue(stopped.contains(.stopColor(.green)))
        XCTAssertEqual(stopped.finished, .rolledBack)
        XCTAssertEqual(h.machine.rollout?.reason, "green (r-new) was not ready within progressDeadline 5m")
        XCTAssertEqual(h.machine.deployment?.activeColor, .blue)
        XCTAssertEqual(h.machine.deployment?.activeRevision, "r-old")
    }

    func testFailedAnalysisAfterTheSwitchSendsTrafficBackAtOnce() {
        var h = H.active()
        h.toVerifying()
        h.fire(.analysisInterval)
        let back = h.verdict(.fail("error rate 19.8% > 1% over 30s (412 requests)"))
        XCTAssertEqual(h.phase, .rollingBack)
        XCTAssertEqual(back.weightsApplied, [[.blue: 100, .green: 0]])
        XCTAssertEqual(h.machine.deployment?.activeColor, .blue)
        XCTAssertFalse(back.contains(.stopColor(.green)), "green finishes its in-flight requests first")
        XCTAssertTrue(back.contains { if case .record(.rolledBack, _, "analysis", let m) = $0 { m.contains("error rate 19.8%") } else { false } })
        h.fire(.drainTimeout)
        XCTAssertEqual(h.phase, .rolledBack, "drainTimeout ends the wait for in-flight requests")
        XCTAssertEqual(h.machine.rollout?.reason, "analysis failed: error rate 19.8% > 1% over 30s (412 requests)")
    }

    func testACrashOfTheNewColorRollsBackInEveryPhaseWhileTheOldIsWarm() {
        let reach: [(RolloutPhase, (inout H) -> Void)] = [
            (.starting, { $0.deploy() }),
            (.analyzing, { $0.deploy(); $0.ready() }),
            (.verifying, { $0.toVerifying() }),
            (.draining, { $0.toVerifying(); $0.fire(.verifyWindow); $0.verdict(.pass("ok")) }),
            (.warm, { $0.toWarm() }),
        ]
        for (phase, steps) in reach {
            var h = H.active()
            steps(&h)
            XCTAssertEqual(h.phase, phase)
            let back = h.send(.instance(.green, .crashed("exited with status 1")))
            XCTAssertEqual(h.phase, .rollingBack, "crash in \(phase)")
            XCTAssertTrue(back.contains { if case .record(.rolledBack, _, "crash", _) = $0 { true } else { false } }, "\(phase)")
            XCTAssertEqual(h.machine.deployment?.activeColor, .blue)
        }
    }

    func testACrashOfTheOldColorDoesNotStopTheRollout() {
        var h = H.active()
        h.deploy()
        XCTAssertEqual(h.send(.instance(.blue, .crashed("exit 1"))), [])
        XCTAssertEqual(h.phase, .starting)
    }

    func testReadinessLossAfterReadyRollsBack() {
        var h = H.active()
        h.toVerifying()
        let back = h.send(.instance(.green, .notReady))
        XCTAssertEqual(h.phase, .rollingBack)
        XCTAssertTrue(back.contains { if case .record(.rolledBack, _, "readiness", _) = $0 { true } else { false } })
    }

    func testRouterFailureRollsBackAndARefusedRollbackRouteIsRetried() {
        var h = H.active()
        h.deploy()
        h.ready()
        h.verdict(.pass("ok"))
        h.send(.routerFailed("nginx -t failed: unknown directive"))
        XCTAssertEqual(h.phase, .rollingBack)
        XCTAssertEqual(h.machine.rollout?.reason, "router could not apply weights: nginx -t failed: unknown directive")
        let refused = h.send(.routerFailed("nginx reload failed"))
        XCTAssertEqual(h.phase, .rollingBack, "green may not stop while traffic cannot reach blue")
        XCTAssertFalse(refused.contains(.stopColor(.green)))
        let retry = h.fire(.routeRetry)
        XCTAssertEqual(retry.weightsApplied, [[.blue: 100, .green: 0]])
        XCTAssertNotNil(retry.first?.persisted)
        h.drained(.green)
        XCTAssertEqual(h.phase, .rolledBack)
    }

    // MARK: - Canary

    func testCanaryAppliesEachWeightJudgesEachPauseAndWaitsForPromote() {
        var h = H.active(plan: H.canary([.setWeight(10), .pause(.seconds(30)), .setWeight(50), .pause(nil), .setWeight(80)]))
        h.deploy()
        h.ready()
        let first = h.verdict(.pass("no prometheus query"))
        XCTAssertEqual(h.phase, .shifting)
        XCTAssertEqual(first.weightsApplied, [[.green: 10, .blue: 90]])
        XCTAssertEqual(h.machine.rollout?.step, 1)
        XCTAssertEqual(h.machine.deployment?.activeColor, .blue, "blue stays active until the switch")

        h.fire(.analysisInterval)
        XCTAssertEqual(h.verdict(.pass("error rate 0% over 5s (30 requests)")).weightsApplied, [], "a periodic pass does not end a pause")
        let gate = h.fire(.pauseEnd)
        XCTAssertEqual(gate.analyses, [.canary], "the share is judged when the pause ends")
        let next = h.verdict(.pass("error rate 0% over 30s (60 requests)"))
        XCTAssertEqual(next.weightsApplied, [[.green: 50, .blue: 50]])
        XCTAssertEqual(h.phase, .paused)
        XCTAssertEqual(h.machine.rollout?.step, 3)

        let deadlineBefore = h.timers[.progressDeadline]
        h.send(.timerFired(deadlineBefore!))
        XCTAssertEqual(h.phase, .paused, "the deadline does not run while an operator's pause waits")

        let promoted = h.send(.promote)
        XCTAssertEqual(promoted.weightsApplied, [[.green: 100, .blue: 0]], "promote skips the remaining steps")
        XCTAssertEqual(h.phase, .verifying)
        XCTAssertNotEqual(h.timers[.progressDeadline], deadlineBefore, "a fresh deadline for the verification")
    }

    func testResumeEndsOnlyTheOperatorsPauseAndTheNextStepsRun() {
        var h = H.active(plan: H.canary([.setWeight(10), .pause(nil), .setWeight(50), .pause(nil), .setWeight(80)]))
        h.deploy()
        h.ready()
        h.verdict(.pass("no prometheus query"))
        XCTAssertEqual(h.phase, .paused)
        XCTAssertEqual(h.machine.rollout?.weights, [.green: 10, .blue: 90])
        let deadlineWhilePaused = h.timers[.progressDeadline]

        let first = h.send(.resume)
        XCTAssertEqual(first.weightsApplied, [[.green: 50, .blue: 50]], "the step after the pause runs, not the switch")
        XCTAssertEqual(h.phase, .paused, "and the next operator's pause holds it")
        XCTAssertEqual(h.machine.rollout?.step, 3)
        XCTAssertEqual(first.recorded(.rolloutPhase).filter { $0.contains("resumed by operator after step 2/5") }.count, 1, "\(first.recorded(.rolloutPhase))")
        XCTAssertNotEqual(h.timers[.progressDeadline], deadlineWhilePaused, "the deadline runs again, afresh")

        XCTAssertEqual(h.send(.resume).weightsApplied, [[.green: 80, .blue: 20], [.green: 100, .blue: 0]], "the last step, then the switch")
        XCTAssertEqual(h.phase, .verifying)
        XCTAssertEqual(h.send(.resume), [], "nothing to resume outside a pause")
    }

    func testResumeAtTheFinalGateIsAPromotion() {
        var h = H.active(plan: H.blueGreenManualPromote)
        h.deploy()
        h.ready()
        h.verdict(.pass("ok"))
        XCTAssertEqual(h.phase, .paused)
        XCTAssertEqual(h.send(.resume).weightsApplied, [[.green: 100, .blue: 0]])
        XCTAssertEqual(h.phase, .verifying)
    }

    func testCanaryFailedGateRollsBack() {
        var h = H.active(plan: H.canary([.setWeight(20), .pause(.seconds(10)), .setWeight(100)]))
        h.deploy()
        h.ready()
        h.verdict(.pass("ok"))
        h.fire(.pauseEnd)
        let back = h.verdict(.fail("latency p99 5.1s > 500ms over 10s (50 requests)"))
        XCTAssertEqual(h.phase, .rollingBack)
        XCTAssertEqual(back.weightsApplied, [[.blue: 100, .green: 0]])
    }

    func testCanaryInconclusiveGateMovesOnAndStepsRunToTheSwitch() {
        var h = H.active(plan: H.canary([.setWeight(10), .pause(.seconds(10)), .setWeight(50), .pause(.seconds(10))]))
        h.deploy()
        h.ready()
        h.verdict(.pass("ok"))
        h.fire(.pauseEnd)
        XCTAssertEqual(h.verdict(.inconclusive("2 requests < minRequests 20")).weightsApplied, [[.green: 50, .blue: 50]])
        h.fire(.pauseEnd)
        XCTAssertEqual(h.verdict(.pass("ok")).weightsApplied, [[.green: 100, .blue: 0]])
        XCTAssertEqual(h.phase, .verifying)
    }

    func testBlueGreenWithoutAutoPromoteWaitsForPromote() {
        var h = H.active(plan: H.blueGreenManualPromote)
        h.deploy()
        h.ready()
        XCTAssertEqual(h.verdict(.pass("ok")).weightsApplied, [])
        XCTAssertEqual(h.phase, .paused)
        XCTAssertEqual(h.send(.promote).weightsApplied, [[.green: 100, .blue: 0]])
        XCTAssertEqual(h.phase, .verifying)
    }

    // MARK: - Operator commands

    func testPromoteInEachPhase() {
        var early = H.active(plan: H.blueGreenManualPromote)
        early.deploy()
        early.send(.promote)
        XCTAssertEqual(early.machine.rollout?.promoteRequested, true, "remembered until green is ready")
        early.ready()
        XCTAssertEqual(early.verdict(.pass("ok")).weightsApplied, [[.green: 100, .blue: 0]], "no pause: promote was asked")

        var verifying = H.active()
        verifying.toVerifying()
        let confirmed = verifying.send(.promote)
        XCTAssertEqual(verifying.phase, .draining, "promote ends the verification")
        XCTAssertEqual(confirmed.recorded(.promoted).count, 1)

        var warm = H.active()
        warm.toWarm()
        XCTAssertEqual(warm.send(.promote), [], "already promoted")
    }

    func testOperatorRollbackFromEveryPhaseReturnsTrafficAtOnce() {
        let reach: [(RolloutPhase, RolloutPlan, (inout H) -> Void)] = [
            (.starting, H.blueGreen, { $0.deploy() }),
            (.analyzing, H.blueGreen, { $0.deploy(); $0.ready() }),
            (.paused, H.blueGreenManualPromote, { $0.deploy(); $0.ready(); $0.verdict(.pass("ok")) }),
            (.shifting, H.canary([.setWeight(30), .pause(.seconds(60))]), { $0.deploy(); $0.ready(); $0.verdict(.pass("ok")) }),
            (.verifying, H.blueGreen, { $0.toVerifying() }),
            (.draining, H.blueGreen, { $0.toVerifying(); $0.send(.promote) }),
            (.warm, H.blueGreen, { $0.toWarm() }),
        ]
        for (phase, plan, steps) in reach {
            var h = H.active(plan: plan)
            steps(&h)
            XCTAssertEqual(h.phase, phase)
            let greenHadTraffic = (h.machine.rollout?.weight(.green) ?? 0) > 0
            let back = h.send(.rollback(reason: "rolled back by operator"))
            XCTAssertEqual(h.phase, .rollingBack, "\(phase)")
            XCTAssertEqual(back.weightsApplied, greenHadTraffic ? [[.blue: 100, .green: 0]] : [], "\(phase)")
            XCTAssertTrue(back.analyses.isEmpty, "no analysis on the way back")
            XCTAssertEqual(h.machine.deployment?.activeColor, .blue)
            XCTAssertEqual(h.send(.rollback(reason: "again")), [], "already rolling back")
            h.drained(.green)
            XCTAssertEqual(h.phase, .rolledBack)
        }
    }

    func testRollbackAfterCompletionIsNotTheMachinesToTake() {
        var h = H.active()
        h.toWarm()
        h.fire(.scaleDown)
        XCTAssertEqual(h.send(.rollback(reason: "manual")), [], "the old color is gone: the service starts a fast rollout instead")
    }

    func testFastRolloutSkipsAnalysisAndPauses() {
        var h = H.active(plan: H.canary([.setWeight(10), .pause(nil)]))
        h.deploy(revision: "r-prev", fast: true, trigger: .rollback)
        let switched = h.ready()
        XCTAssertEqual(switched.weightsApplied, [[.green: 100, .blue: 0]])
        XCTAssertTrue(h.history.flatMap { $0 }.analyses.isEmpty)
        XCTAssertEqual(h.phase, .draining)
        h.drained(.blue)
        XCTAssertEqual(h.fire(.scaleDown).finished, .rolledBack, "a completed `vigil rollback` counts as a rollback")
    }

    func testAFastRollbackThatCannotComeUpIsAbortedAndTrafficStays() {
        var h = H.active()
        h.deploy(revision: "r-prev", fast: true, trigger: .rollback)
        h.send(.instance(.green, .crashed("exit 2")))
        XCTAssertEqual(h.drained(.green).finished, .aborted)
        XCTAssertEqual(h.phase, .aborted)
        XCTAssertEqual(h.machine.deployment?.activeRevision, "r-old")
    }

    func testAbortEndsTheRolloutWithoutTouchingColors() {
        var h = H.active()
        h.deploy()
        let aborted = h.send(.abort(reason: "service stopped"))
        XCTAssertEqual(h.phase, .aborted)
        XCTAssertFalse(aborted.contains(where: \.isEffect))
        XCTAssertEqual(aborted.finished, .aborted)
    }

    func testASecondDeployDuringARolloutIsIgnored() {
        var h = H.active()
        h.deploy()
        XCTAssertEqual(h.send(.begin(RolloutRequest(id: "ro-2", revision: "r-other"), plan: h.plan)), [])
        XCTAssertEqual(h.machine.rollout?.id, "ro-1")
    }

    // MARK: - Stale timers and answers

    func testStaleTimersAnalysesAndDrainsAreIgnored() {
        var h = H.active(plan: H.canary([.setWeight(10), .pause(.seconds(30)), .setWeight(50), .pause(.seconds(30))]))
        h.deploy()
        let oldDeadline = h.timers[.progressDeadline]!
        h.ready()
        let preGeneration = h.machine.generation
        h.verdict(.pass("ok"))
        let stalePause = h.timers[.pauseEnd]!
        h.fire(.pauseEnd)
        h.verdict(.pass("ok"))
        XCTAssertEqual(h.machine.rollout?.weight(.green), 50)
        XCTAssertEqual(h.send(.timerFired(stalePause)), [], "the first pause's timer cannot end the second")
        XCTAssertEqual(h.send(.analysis(.fail("old"), generation: preGeneration)), [], "a verdict on an earlier step is ignored")
        XCTAssertEqual(h.send(.drained(.green, generation: preGeneration)), [])
        XCTAssertEqual(h.phase, .shifting)

        h.send(.rollback(reason: "manual"))
        h.drained(.green)
        h.deploy(revision: "r-newer")
        XCTAssertEqual(h.send(.timerFired(oldDeadline)), [], "the previous rollout's deadline")
        XCTAssertEqual(h.phase, .starting)
    }

    func testAVerdictNobodyAskedForIsIgnored() {
        var h = H.active()
        h.toVerifying()
        XCTAssertEqual(h.verdict(.fail("unsolicited")), [], "no analysis was in flight")
        XCTAssertEqual(h.phase, .verifying)
    }

    // MARK: - Resume after a restart of Vigil

    func record(_ phase: RolloutPhase, step: Int = 0, weights: [Color: Int]? = nil, active: Color = .blue) -> DeploymentRecord {
        DeploymentRecord(
            service: "api", activeColor: active, activeRevision: active == .blue ? "r-old" : "r-new",
            rollout: RolloutRecord(
                id: "ro-1", service: "api", trigger: .deploy, revision: "r-new", previousRevision: "r-old",
                from: .blue, to: .green, phase: phase, step: step, weights: weights, startedAt: Date(timeIntervalSince1970: 1_700_000_000)
            )
        )
    }

    func testRestoreWithoutARolloutBringsBackTheActiveRevision() {
        var h = H()
        let actions = h.send(.restore(DeploymentRecord(service: "api", activeColor: .green, activeRevision: "r-7"), plan: nil))
        XCTAssertEqual(actions.filter(\.isEffect), [.startColor(.green, revision: "r-7"), .applyWeights([.green: 100, .blue: 0])])
    }

    func testRestoreOfAFinishedRolloutBringsBackItsOutcome() {
        var h = H()
        var done = record(.completed, weights: [.green: 100, .blue: 0], active: .green)
        done.rollout?.result = .promoted
        let actions = h.send(.restore(done, plan: H.blueGreen))
        XCTAssertEqual(actions.filter(\.isEffect), [.startColor(.green, revision: "r-new"), .applyWeights([.green: 100, .blue: 0])])
        XCTAssertNil(actions.finished, "it finished before the restart")
    }

    func testRestoreMidRollbackCompletesTheRollback() {
        var h = H()
        var rec = record(.rollingBack)
        rec.rollout?.result = .rolledBack
        rec.rollout?.reason = "analysis failed: x"
        let actions = h.send(.restore(rec, plan: H.blueGreen))
        XCTAssertEqual(h.phase, .rolledBack)
        XCTAssertEqual(actions.first?.persisted?.rollout?.phase, .rolledBack)
        XCTAssertTrue(actions.contains(.startColor(.blue, revision: "r-old")))
        XCTAssertFalse(actions.contains { if case .startColor(.green, _) = $0 { true } else { false } })
        XCTAssertTrue(actions.contains(.applyWeights([.blue: 100, .green: 0])))
        XCTAssertEqual(actions.finished, .rolledBack)
    }

    func testRestoreAfterThePromotionWasDecidedCompletesIt() {
        for phase in [RolloutPhase.draining, .warm] {
            var h = H()
            let actions = h.send(.restore(record(phase, weights: [.green: 100, .blue: 0], active: .green), plan: H.blueGreen))
            XCTAssertEqual(h.phase, .completed, "\(phase)")
            XCTAssertEqual(actions.filter(\.isEffect), [.startColor(.green, revision: "r-new"), .applyWeights([.green: 100, .blue: 0])], "\(phase)")
            XCTAssertEqual(actions.finished, .promoted)
            XCTAssertEqual(h.machine.deployment?.previousRevision, "r-old")
        }
    }

    func testRestoreBeforeTheSwitchResumesWithTheOldColorServing() {
        for phase in [RolloutPhase.starting, .analyzing, .paused] {
            var h = H()
            let actions = h.send(.restore(record(phase), plan: H.blueGreen))
            XCTAssertEqual(h.phase, .starting, "\(phase)")
            XCTAssertEqual(actions.first?.persisted?.rollout?.phase, .starting)
            XCTAssertEqual(actions.filter(\.isEffect), [
                .startColor(.blue, revision: "r-old"), .applyWeights([.blue: 100, .green: 0]), .startColor(.green, revision: "r-new"),
            ], "\(phase)")
            h.ready()
            XCTAssertEqual(h.phase, .analyzing, "\(phase): the rollout goes on once green is ready")
        }
    }

    func testRestoreMidCanaryResumesAtTheRecordedStepWithItsShare() {
        var h = H(plan: H.canary([.setWeight(10), .pause(.seconds(30)), .setWeight(50), .pause(.seconds(30))]))
        h.send(.restore(record(.shifting, step: 3, weights: [.green: 50, .blue: 50]), plan: h.plan))
        XCTAssertEqual(h.machine.rollout?.weight(.blue), 100, "blue serves until green is ready again")
        h.ready()
        let resumed = h.verdict(.pass("ok"))
        XCTAssertEqual(resumed.weightsApplied, [[.green: 50, .blue: 50]])
        XCTAssertEqual(h.machine.rollout?.step, 3)
        XCTAssertNotNil(h.timers[.pauseEnd])
    }

    func testRestoreWhileVerifyingGoesBackToTheSwitchOnceReady() {
        let plan = H.blueGreenManualPromote
        var h = H(plan: plan)
        let actions = h.send(.restore(record(.verifying, weights: [.green: 100, .blue: 0], active: .green), plan: plan))
        XCTAssertEqual(h.machine.deployment?.activeColor, .blue, "traffic waits on blue for green to be ready again")
        XCTAssertTrue(actions.contains(.applyWeights([.blue: 100, .green: 0])))
        h.ready()
        XCTAssertEqual(h.verdict(.pass("ok")).weightsApplied, [[.green: 100, .blue: 0]], "it had been promoted: no pause again")
        XCTAssertEqual(h.phase, .verifying)
    }

    func testRestoreWithoutTheRevisionsSpecKeepsTheServingColor() {
        var h = H()
        let actions = h.send(.restore(record(.analyzing), plan: nil))
        XCTAssertEqual(h.phase, .aborted)
        XCTAssertEqual(actions.finished, .aborted)
    }
}
