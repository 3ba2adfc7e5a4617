import Foundation
import VigilManifest

// The forward path: start the idle color, check it, shift traffic, verify, drain, keep warm, stop.
extension RolloutStateMachine {
    mutating func activate(color: Color, revision: String, _ actions: inout [Action]) {
        guard deployment == nil else { return }
        let record = DeploymentRecord(service: service, activeColor: color, activeRevision: revision)
        deployment = record
        actions.append(.persist(record))
        actions.append(.startColor(color, revision: revision))
        actions.append(.applyWeights([color: 100, color.other: 0]))
        startStandby(&actions)
    }

    mutating func begin(_ request: RolloutRequest, plan: RolloutPlan, at now: Date, _ actions: inout [Action]) {
        guard let deployment, activeRollout == nil else { return }
        let from = deployment.activeColor
        self.plan = plan
        newColorReady = false
        windowElapsed = false
        lastVerdict = nil
        self.deployment?.rollout = RolloutRecord(
            id: request.id, service: service, trigger: request.trigger, revision: request.revision,
            previousRevision: deployment.activeRevision, from: from, to: from.other, fast: request.fast, startedAt: now
        )
        commit(at: now, &actions) { _ in }
        actions.append(.record(
            .rolloutStarted, color: from.other, reason: request.trigger.rawValue,
            message: "rollout \(request.id): \(request.label) on \(from.other.rawValue)\(request.fast ? " (fast: no analysis, no pauses)" : ""); \(from.rawValue) (\(deployment.activeRevision)) keeps the traffic until it is ready"
        ))
        actions.append(.startColor(from.other, revision: request.revision))
        scheduleDeadline(&actions)
    }

    mutating func onInstance(_ color: Color, _ observation: InstanceObservation, at now: Date, _ actions: inout [Action]) {
        guard let rollout = activeRollout, color == rollout.to else { return }
        switch observation {
        case .ready:
            newColorReady = true
            if rollout.phase == .starting { enterAnalyzing(at: now, &actions) }
        case .notReady:
            let wasReady = newColorReady
            newColorReady = false
            if wasReady, rollout.phase.expectsNewColorReady {
                beginRollback(cause: "readiness", reason: "\(color.rawValue) (\(rollout.revision)) lost readiness", at: now, &actions)
            }
        case .crashed(let why):
            newColorReady = false
            beginRollback(cause: "crash", reason: "\(color.rawValue) (\(rollout.revision)) crashed: \(why)", at: now, &actions)
        }
    }

    private mutating func enterAnalyzing(at now: Date, _ actions: inout [Action]) {
        guard let rollout else { return }
        if rollout.fast { return switchAll(at: now, &actions) }
        enter(.analyzing, at: now, &actions, detail: "\(rollout.to.rawValue) is ready; pre-promotion check")
        requestAnalysis(.prePromotion, at: now, &actions)
    }

    mutating func onVerdict(_ verdict: AnalysisVerdict, at now: Date, _ actions: inout [Action]) {
        guard let rollout = activeRollout else { return }
        if case .fail(let why) = verdict {
            return beginRollback(cause: "analysis", reason: "analysis failed: \(why)", at: now, &actions)
        }
        lastVerdict = verdict
        switch rollout.phase {
        case .analyzing:
            if case .pass = verdict { return afterPrePromotion(at: now, &actions) }
            scheduleNextAnalysis(&actions)
        case .shifting:
            if awaitingGate {
                awaitingGate = false
                return advanceSteps(from: rollout.step + 1, at: now, &actions)
            }
            scheduleNextAnalysis(&actions)
        case .paused:
            scheduleNextAnalysis(&actions)
        case .verifying:
            if windowElapsed, case .pass = verdict {
                return confirmPromotion(how: "analysis passed: \(verdict.reason)", at: now, &actions)
            }
            scheduleNextAnalysis(&actions)
        case .starting, .draining, .warm, .rollingBack, .completed, .rolledBack, .aborted:
            break
        }
    }

    private mutating func afterPrePromotion(at now: Date, _ actions: inout [Action]) {
        guard let rollout, let plan else { return }
        if plan.strategy == .canary, !plan.steps.isEmpty, rollout.step < plan.steps.count, !rollout.promoteRequested {
            // Back at a recorded step after a restart: the share it had comes back first.
            let resumedWeight = Self.weight(before: rollout.step, in: plan.steps)
            if resumedWeight > 0 {
                enter(.shifting, at: now, &actions, detail: "resuming at step \(rollout.step + 1)/\(plan.steps.count)") {
                    $0.weights = [$0.to: resumedWeight, $0.from: 100 - resumedWeight]
                }
                actions.append(.applyWeights(self.rollout!.weights))
            }
            return advanceSteps(from: rollout.step, at: now, &actions)
        }
        if plan.strategy == .canary { return advanceSteps(from: plan.steps.count, at: now, &actions) }
        if !plan.autoPromote, !rollout.promoteRequested { return pauseForOperator(step: 0, at: now, &actions) }
        switchAll(at: now, &actions)
    }

    /// Runs canary steps from `index`: each `setWeight` is persisted and applied; a timed pause
    /// waits (judged when it ends); a pause without duration waits for `vigil promote`.
    mutating func advanceSteps(from index: Int, at now: Date, _ actions: inout [Action]) {
        guard let plan else { return }
        var index = index
        while index < plan.steps.count, rollout?.promoteRequested == false {
            let total = plan.steps.count
            switch plan.steps[index] {
            case .setWeight(let weight):
                let step = index
                enter(.shifting, at: now, &actions, detail: "step \(step + 1)/\(total): setWeight \(weight)") {
                    $0.step = step
                    $0.weights = [$0.to: weight, $0.from: 100 - weight]
                }
                actions.append(.applyWeights(rollout!.weights))
                index += 1
            case .pause(let duration?):
                let step = index
                enter(.shifting, at: now, &actions, detail: "step \(step + 1)/\(total): pause \(DurationFormat.format(duration))") { $0.step = step }
                actions.append(.schedule(Timer(.pauseEnd, generation: generation), after: duration))
                if rollout!.weight(rollout!.to) > 0 { scheduleNextAnalysis(&actions) }
                return
            case .pause(nil):
                return pauseForOperator(step: index, at: now, &actions)
            }
        }
        if rollout?.promoteRequested == false, !plan.autoPromote {
            return pauseForOperator(step: plan.steps.count, at: now, &actions)
        }
        switchAll(at: now, &actions)
    }

    /// Waits for `vigil promote`. The progress deadline does not run meanwhile (as in Argo
    /// Rollouts): an operator's gate is not a stuck rollout.
    private mutating func pauseForOperator(step: Int, at now: Date, _ actions: inout [Action]) {
        cancelDeadline()
        enter(.paused, at: now, &actions, detail: "waiting for `vigil promote \(service)` (or `vigil rollback \(service)`)") { $0.step = step }
        if let rollout, rollout.weight(rollout.to) > 0 { scheduleNextAnalysis(&actions) }
    }

    /// All traffic to the new color; it becomes the active one.
    mutating func switchAll(at now: Date, _ actions: inout [Action]) {
        guard let rollout, let plan else { return }
        deployment?.activeColor = rollout.to
        deployment?.activeRevision = rollout.revision
        let next: RolloutPhase = rollout.fast ? .draining : .verifying
        let detail = rollout.fast ? "switched" : "switched; judging \(rollout.to.rawValue) for \(DurationFormat.format(plan.analysis.window))"
        enter(next, at: now, &actions, detail: detail) {
            $0.step = plan.steps.count
            $0.weights = [$0.to: 100, $0.from: 0]
        }
        actions.append(.applyWeights(self.rollout!.weights))
        if next == .draining {
            cancelDeadline()
            return startDrain(rollout.from, &actions)
        }
        windowElapsed = false
        actions.append(.schedule(Timer(.verifyWindow, generation: generation), after: plan.analysis.window))
        scheduleNextAnalysis(&actions)
    }

    /// The promotion stands: record it and drain the old color.
    mutating func confirmPromotion(how: String, at now: Date, _ actions: inout [Action]) {
        guard let rollout else { return }
        cancelDeadline()
        enter(.draining, at: now, &actions, detail: "draining \(rollout.from.rawValue)") { $0.reason = how }
        actions.append(.record(.promoted, color: rollout.to, reason: nil, message: "rollout \(rollout.id): \(rollout.revision) promoted on \(rollout.to.rawValue) (\(how))"))
        startDrain(rollout.from, &actions)
    }

    func startDrain(_ color: Color, _ actions: inout [Action]) {
        guard let plan else { return }
        actions.append(.watchDrain(color, generation: generation))
        actions.append(.schedule(Timer(.drainTimeout, generation: generation), after: plan.drainTimeout))
    }

    mutating func onDrained(_ color: Color, at now: Date, _ actions: inout [Action]) {
        guard let rollout = activeRollout, let plan else { return }
        switch rollout.phase {
        case .draining where color == rollout.from:
            enter(.warm, at: now, &actions, detail: "\(rollout.from.rawValue) stays running \(DurationFormat.format(plan.scaleDownDelay)) for an instant rollback")
            if plan.scaleDownDelay == .zero { return complete(at: now, &actions) }
            actions.append(.schedule(Timer(.scaleDown, generation: generation), after: plan.scaleDownDelay))
        case .rollingBack where color == rollout.to:
            finishRollback(at: now, &actions)
        default:
            break
        }
    }

    /// Stops the old color (or, with a warm standby, restarts it with the now-active revision);
    /// the rollout is over.
    private mutating func complete(at now: Date, _ actions: inout [Action]) {
        guard let rollout else { return }
        // A fast rollout started by `vigil rollback` is a rollback, whatever path it took.
        let result: RolloutResult = rollout.trigger == .rollback ? .rolledBack : .promoted
        deployment?.previousRevision = rollout.previousRevision
        enter(.completed, at: now, &actions, detail: retiring(rollout.from)) {
            $0.result = result
            $0.finishedAt = now
        }
        retire(rollout.from, &actions)
        actions.append(.finished(result, reason: self.rollout?.reason))
    }

    mutating func onTimer(_ timer: Timer, at now: Date, _ actions: inout [Action]) {
        guard let rollout = activeRollout else {
            if timer.kind == .routeRetry, timer.generation == generation, let deployment {
                actions.append(.applyWeights([deployment.activeColor: 100, deployment.activeColor.other: 0]))
            }
            return
        }
        if timer.kind == .progressDeadline {
            guard timer.generation == deadlineGeneration else { return }
            return onDeadline(rollout, at: now, &actions)
        }
        guard timer.generation == generation else { return }
        switch (timer.kind, rollout.phase) {
        case (.analysisInterval, .analyzing): requestAnalysis(.prePromotion, at: now, &actions)
        case (.analysisInterval, .shifting), (.analysisInterval, .paused): requestAnalysis(.canary, at: now, &actions)
        case (.analysisInterval, .verifying): requestAnalysis(.postPromotion, at: now, &actions)
        case (.pauseEnd, .shifting):
            guard rollout.weight(rollout.to) > 0 else { return advanceSteps(from: rollout.step + 1, at: now, &actions) }
            // The share this pause held is judged before traffic moves on.
            awaitingGate = true
            if !analysisInFlight { requestAnalysis(.canary, at: now, &actions) }
        case (.verifyWindow, .verifying):
            windowElapsed = true
            if !analysisInFlight { requestAnalysis(.postPromotion, at: now, &actions) }
        case (.drainTimeout, .draining): onDrained(rollout.from, at: now, &actions)
        case (.drainTimeout, .rollingBack): onDrained(rollout.to, at: now, &actions)
        case (.scaleDown, .warm): complete(at: now, &actions)
        case (.routeRetry, .rollingBack): retryRollbackRoute(at: now, &actions)
        default: break
        }
    }

    /// `progressDeadline` passed without a promotion decision.
    ///
    /// Verifying with no failed analysis, only inconclusive ones (too little traffic to judge):
    /// promote. The new color has been ready and serving all traffic without a single bad
    /// verdict; rolling back a healthy revision because nobody called it would make idle
    /// services undeployable. Every other phase rolls back.
    private mutating func onDeadline(_ rollout: RolloutRecord, at now: Date, _ actions: inout [Action]) {
        guard let plan else { return }
        let limit = DurationFormat.format(plan.progressDeadline)
        switch rollout.phase {
        case .verifying:
            let evidence = lastVerdict.map { ": \($0.reason)" } ?? ""
            confirmPromotion(how: "no failed analysis by progressDeadline \(limit), promoted without a conclusive one\(evidence)", at: now, &actions)
        case .starting:
            beginRollback(cause: "deadline", reason: "\(rollout.to.rawValue) (\(rollout.revision)) was not ready within progressDeadline \(limit)", at: now, &actions)
        default:
            let evidence = lastVerdict.map { " (last analysis: \($0.reason))" } ?? ""
            beginRollback(cause: "deadline", reason: "no promotion within progressDeadline \(limit) (phase \(rollout.phase.rawValue))\(evidence)", at: now, &actions)
        }
    }

    mutating func onPromote(at now: Date, _ actions: inout [Action]) {
        guard let rollout = activeRollout else { return }
        switch rollout.phase {
        case .starting, .analyzing:
            commit(at: now, &actions) { $0.promoteRequested = true }
            if rollout.phase == .analyzing { requestAnalysis(.prePromotion, at: now, &actions) }
            actions.append(.record(.rolloutPhase, color: rollout.to, reason: "promote", message: "rollout \(rollout.id): promote requested; \(rollout.to.rawValue) takes all traffic once it is ready and checked"))
        case .paused, .shifting:
            // Out of an operator's pause the deadline runs again, afresh, for the verification.
            scheduleDeadline(&actions)
            deployment?.rollout?.promoteRequested = true
            actions.append(.record(.rolloutPhase, color: rollout.to, reason: "promote", message: "rollout \(rollout.id): promoted by operator; skipping the remaining steps"))
            switchAll(at: now, &actions)
        case .verifying:
            confirmPromotion(how: "promoted by operator before the analysis window ended", at: now, &actions)
        case .draining, .warm, .rollingBack, .completed, .rolledBack, .aborted:
            break
        }
    }

    /// Ends an operator's pause: the steps after it run (the deadline afresh, as after a
    /// promote). A pause after the last step, or `autoPromote: false`'s gate, has no steps after
    /// it: resuming there is a promotion.
    mutating func onResume(at now: Date, _ actions: inout [Action]) {
        guard let rollout = activeRollout, let plan, rollout.phase == .paused else { return }
        guard rollout.step < plan.steps.count else { return onPromote(at: now, &actions) }
        scheduleDeadline(&actions)
        actions.append(.record(.rolloutPhase, color: rollout.to, reason: "resume", message: "rollout \(rollout.id): resumed by operator after step \(rollout.step + 1)/\(plan.steps.count)"))
        advanceSteps(from: rollout.step + 1, at: now, &actions)
    }

    /// The canary weight in force before step `index` (the last `setWeight` before it).
    static func weight(before index: Int, in steps: [CanaryStep]) -> Int {
        for step in steps.prefix(index).reversed() {
            if case .setWeight(let weight) = step { return weight }
        }
        return 0
    }
}
