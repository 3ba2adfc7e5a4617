import VigilManifest
import VigilSupervisor

/// What the service last told the machine about one color's runner.
struct ObservedInstance: Sendable {
    var restarts: Int
    var pid: Int32?
    var reported: RolloutStateMachine.InstanceObservation?
}

// Runner snapshots → the three things a rollout cares about: ready, not ready, crashed.
extension DeployedService {
    /// The observation to send for this snapshot, nil when nothing changed for the machine.
    ///
    /// A crash is an exit the runner did not plan: a higher restart count (it was restarted at
    /// once) or a state of backoff, crashloop or failed. It is reported once per runner.
    func observation(of color: Color, _ status: InstanceStatus) -> RolloutStateMachine.InstanceObservation? {
        let previous = observed[color]
        let state = InstanceState(rawValue: status.state)
        let lastPid = previous?.pid.map { "pid \($0) " } ?? ""
        let next: RolloutStateMachine.InstanceObservation
        if let previous, status.restarts > previous.restarts {
            next = .crashed("\(lastPid)exited and was restarted (restart \(status.restarts))")
        } else if let state, [.backoff, .crashloop, .failed].contains(state) {
            next = .crashed("\(lastPid)exited; the instance is \(state.rawValue)")
        } else {
            next = status.ready ? .ready : .notReady
        }
        let alreadyCrashed = if case .crashed? = previous?.reported { true } else { false }
        let reported: RolloutStateMachine.InstanceObservation? = alreadyCrashed ? previous?.reported : next
        observed[color] = ObservedInstance(restarts: status.restarts, pid: status.pid ?? previous?.pid, reported: reported)
        if alreadyCrashed || next == previous?.reported { return nil }
        return next
    }
}
