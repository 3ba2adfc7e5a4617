import VigilManifest
import VigilSupervisor

// `standby: warm`: the idle color runs the active revision (started by the rollout machine) and
// takes the traffic while the active color is not ready (decided by StandbyFailover, here).
extension DeployedService {
    /// The idle color while it is the warm standby: `standby: warm`, the deployment known and no
    /// rollout in progress (a rollout owns both colors). nil otherwise: no failover, no retry
    /// fallback, no standby in `vigil status`.
    var warmStandby: Color? {
        guard deploy.standby == .warm, machine.activeRollout == nil else { return nil }
        return machine.deployment?.activeColor.other
    }

    /// What the failover decision is made from, nil before the first deployment is known.
    func standbySituation(enabled: Bool) -> StandbyFailover.Situation? {
        guard let active = machine.deployment?.activeColor else { return nil }
        return StandbyFailover.Situation(
            active: active, activeReady: observed[active]?.ready ?? false, activeHasServed: observed[active]?.hasServed ?? false,
            standbyReady: observed[active.other]?.ready ?? false, enabled: enabled
        )
    }

    /// Runs after every input of the queue: moves traffic to the standby or back when the
    /// readiness of the colors calls for it. Off during a rollout and with `standby: cold`.
    func reviewStandby() async {
        let enabled = warmStandby != nil
        guard let situation = standbySituation(enabled: enabled), let decision = failover.decide(situation) else { return }
        let off: (reason: String, detail: String)? = enabled ? nil
            : deploy.standby == .cold ? ("cold", "the manifest now says standby: cold") : ("rollout", "a rollout is in progress")
        _ = await route(decision, in: situation, off: off)
    }

    /// Before a rollout starts on the idle color: if the standby there has the traffic, it goes
    /// back to the active color first (the rollout is about to replace the standby, and its
    /// weights assume the active color serves). Throws when the router refuses.
    func endFailover(beforeRollout label: String) async throws {
        guard let situation = standbySituation(enabled: false), let decision = failover.decide(situation) else { return }
        guard await route(decision, in: situation, off: ("rollout", "rollout of \(label) starts on \(situation.standby.rawValue)")) else {
            throw DeployError(.conflict, "traffic is on the standby \(situation.standby.rawValue) and the router could not move it back to \(situation.active.rawValue); a rollout would replace the color serving all traffic. See `vigil events \(name)`.")
        }
    }

    /// Applies the decision's weights and records it; on a refusal, notes it and looks again
    /// in a second. Returns whether the router took the weights. `off` is why failover was
    /// turned off (event reason and message), nil when it decided on readiness alone.
    private func route(
        _ decision: StandbyFailover.Decision, in situation: StandbyFailover.Situation, off: (reason: String, detail: String)?
    ) async -> Bool {
        // Without a router (it could not start, and said so) there is no traffic to move, and
        // nothing to report as moved.
        guard router != nil else { return true }
        do {
            try await applyRouting(decision.weights)
        } catch {
            note("router could not move traffic to \(decision.color.rawValue) (\(describe(decision))): \(error); trying again in 1s", color: decision.color)
            let inputs = self.inputs
            Task {
                try? await Task.sleep(for: .seconds(1))
                inputs?.yield(.standbyCheck)
            }
            return false
        }
        failover.applied(decision)
        let active = situation.active
        let standby = situation.standby
        switch decision {
        case .failover:
            let state = observed[active]?.status.state ?? InstanceState.stopped.rawValue
            resources.events.record(SupervisorEvent(
                service: name, color: standby.rawValue, kind: .failover, reason: state,
                message: "\(active.rawValue) is \(state) and not ready; all traffic to the warm standby \(standby.rawValue)\(pid(standby)) until \(active.rawValue) is ready again",
                pid: observed[standby]?.status.pid
            ))
        case .failback:
            let because = off?.detail ?? "\(active.rawValue)\(pid(active)) is ready again"
            resources.events.record(SupervisorEvent(
                service: name, color: active.rawValue, kind: .failback, reason: off?.reason ?? "ready",
                message: "all traffic back to \(active.rawValue): \(because); \(standby.rawValue) is the standby again",
                pid: observed[active]?.status.pid
            ))
        }
        return true
    }

    private func describe(_ decision: StandbyFailover.Decision) -> String {
        switch decision {
        case .failover: "failover to the warm standby"
        case .failback: "failback to the active color"
        }
    }

    private func pid(_ color: Color) -> String {
        observed[color]?.status.pid.map { " (pid \($0))" } ?? ""
    }

    /// The standby in `vigil status`: with `standby: warm` and no rollout in progress, the idle color.
    func standbyStatus() -> StandbyStatus? {
        guard let standby = warmStandby else { return nil }
        return StandbyStatus(color: standby.rawValue, serving: failover.servingStandby == standby)
    }
}
