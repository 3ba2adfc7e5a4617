import Foundation
import VigilManifest

// Start-up after Vigil stopped or was killed: replay the last record.
extension RolloutStateMachine {
    /// Brings back what the record says, deciding per recorded phase (the processes of both
    /// colors are gone: the orphan reaper stopped what a killed Vigil left):
    ///
    /// - no rollout, or a finished one: the active color with the active revision;
    /// - `rolling_back`: complete the rollback (the old color with the traffic);
    /// - `draining`, `warm`: the promotion was decided: complete it (the new color with the
    ///   traffic; the old color is not brought back only to be stopped);
    /// - `starting` … `verifying`: the old color gets the traffic back and the rollout resumes
    ///   from its recorded step once the new color is ready again (a rollout recorded in
    ///   `verifying` goes straight back to the switch). Traffic never goes to a color that has not
    ///   become ready since the restart, so a color that was ready stays the one serving.
    ///
    /// With a warm standby, whenever no rollout resumes the idle color starts too, with the
    /// active revision.
    mutating func restore(_ record: DeploymentRecord, plan: RolloutPlan?, at now: Date, _ actions: inout [Action]) {
        guard deployment == nil else { return }
        deployment = record
        self.plan = plan
        guard let rollout = record.rollout, !rollout.phase.isFinished, plan != nil else {
            if let rollout = record.rollout, !rollout.phase.isFinished {
                // No plan: the revision's spec is gone. Keep the color that was serving.
                abort(reason: "Vigil restarted and the spec of \(rollout.revision) is no longer known", at: now, &actions)
            }
            return startActive(withStandby: true, &actions)
        }
        switch rollout.phase {
        case .rollingBack:
            // finishRollback already restarts the rolled-back color as the standby when warm.
            finishRollback(at: now, &actions)
            startActive(withStandby: false, &actions)
        case .draining, .warm:
            deployment?.activeColor = rollout.to
            deployment?.activeRevision = rollout.revision
            deployment?.previousRevision = rollout.previousRevision
            let result: RolloutResult = rollout.trigger == .rollback ? .rolledBack : .promoted
            enter(.completed, at: now, &actions, detail: "completed after Vigil restarted") {
                $0.result = result
                $0.finishedAt = now
            }
            startActive(withStandby: true, &actions)
            actions.append(.finished(result, reason: self.rollout?.reason))
        case .starting, .analyzing, .paused, .shifting, .verifying:
            deployment?.activeColor = rollout.from
            deployment?.activeRevision = rollout.previousRevision
            newColorReady = false
            windowElapsed = false
            lastVerdict = nil
            let wasSwitched = rollout.phase == .verifying
            enter(.starting, at: now, &actions, detail: "Vigil restarted in phase \(rollout.phase.rawValue); resuming once \(rollout.to.rawValue) is ready again") {
                $0.weights = [$0.from: 100, $0.to: 0]
                if wasSwitched { $0.promoteRequested = true }
            }
            startActive(withStandby: false, &actions)
            actions.append(.startColor(rollout.to, revision: rollout.revision))
            scheduleDeadline(&actions)
        case .completed, .rolledBack, .aborted:
            break
        }
    }

    /// Starts the active color with all traffic (after the record that says so is persisted),
    /// and the warm standby beside it when `withStandby` (no rollout claims the idle color).
    private func startActive(withStandby: Bool, _ actions: inout [Action]) {
        guard let deployment else { return }
        if !actions.contains(where: { if case .persist = $0 { true } else { false } }) {
            actions.append(.persist(deployment))
        }
        actions.append(.startColor(deployment.activeColor, revision: deployment.activeRevision))
        actions.append(.applyWeights([deployment.activeColor: 100, deployment.activeColor.other: 0]))
        if withStandby { startStandby(&actions) }
    }
}
