import Foundation
import VigilManifest

// The way back: traffic to the old color at once, then the new color drains and stops.
extension RolloutStateMachine {
    /// Rolls back the rollout in progress. `cause` is the event's machine-readable reason:
    /// `analysis`, `crash`, `readiness`, `router`, `deadline` or `manual`.
    mutating func beginRollback(cause: String, reason: String, at now: Date, _ actions: inout [Action]) {
        guard let rollout = activeRollout, rollout.phase != .rollingBack else { return }
        cancelDeadline()
        let trafficOnNew = rollout.weight(rollout.to) > 0
        deployment?.activeColor = rollout.from
        deployment?.activeRevision = rollout.previousRevision
        // A fast rollout is itself `vigil rollback`: if it cannot finish, the rollback is aborted
        // and traffic stays on the revision that served before it.
        let result: RolloutResult = rollout.trigger == .rollback ? .aborted : .rolledBack
        enter(.rollingBack, at: now, &actions, detail: reason) {
            $0.weights = [$0.from: 100, $0.to: 0]
            $0.reason = reason
            $0.result = result
        }
        let verb = result == .aborted ? "rollback to \(rollout.revision) aborted" : "rolling back \(rollout.revision)"
        actions.append(.record(
            .rolledBack, color: rollout.to, reason: cause,
            message: "rollout \(rollout.id): \(verb) on \(rollout.to.rawValue): \(reason); traffic back on \(rollout.from.rawValue) (\(rollout.previousRevision))"
        ))
        if trafficOnNew { actions.append(.applyWeights(self.rollout!.weights)) }
        startDrain(rollout.to, &actions)
    }

    /// The new color has no request left (or `drainTimeout` passed): stop it (with a warm
    /// standby: restart it with the active revision, as the standby).
    mutating func finishRollback(at now: Date, _ actions: inout [Action]) {
        guard let rollout = activeRollout else { return }
        let result = rollout.result ?? .rolledBack
        enter(result == .aborted ? .aborted : .rolledBack, at: now, &actions, detail: retiring(rollout.to)) {
            $0.finishedAt = now
        }
        retire(rollout.to, &actions)
        actions.append(.finished(result, reason: rollout.reason))
    }

    mutating func onRouterFailed(_ message: String, at now: Date, _ actions: inout [Action]) {
        guard let rollout = activeRollout else {
            // Outside a rollout (activation, restore) there is nothing to roll back to: retry.
            actions.append(.record(.rolloutPhase, color: deployment?.activeColor, reason: "router", message: "router could not apply weights: \(message); retrying in 1s"))
            actions.append(.schedule(Timer(.routeRetry, generation: generation), after: .seconds(1)))
            return
        }
        if rollout.phase == .rollingBack {
            // Traffic must reach the old color before the new one may stop: keep trying.
            actions.append(.record(.rolledBack, color: rollout.from, reason: "router", message: "rollout \(rollout.id): router could not move traffic back to \(rollout.from.rawValue): \(message); retrying in 1s"))
            actions.append(.schedule(Timer(.routeRetry, generation: generation), after: .seconds(1)))
            return
        }
        beginRollback(cause: "router", reason: "router could not apply weights: \(message)", at: now, &actions)
    }

    mutating func retryRollbackRoute(at now: Date, _ actions: inout [Action]) {
        guard let rollout = activeRollout else { return }
        commit(at: now, &actions) { _ in }
        actions.append(.applyWeights(rollout.weights))
        startDrain(rollout.to, &actions)
    }

    /// Ends the rollout without touching traffic or colors (the caller is stopping them).
    mutating func abort(reason: String, at now: Date, _ actions: inout [Action]) {
        guard let rollout = activeRollout else { return }
        cancelDeadline()
        enter(.aborted, at: now, &actions, detail: reason) {
            $0.result = .aborted
            $0.reason = reason
            $0.finishedAt = now
        }
        actions.append(.finished(.aborted, reason: rollout.reason ?? reason))
    }
}
