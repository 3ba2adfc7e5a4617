import VigilManifest
import VigilSupervisor

/// What the service knows about one color's current runner: its latest status (what the standby
/// failover and the retry fallback decide from) and what was last told to the machine about it.
/// Dropped as a whole when the runner is replaced or stopped: a new runner's process is not
/// ready until it says so.
struct ObservedInstance: Sendable {
    /// The runner's latest status.
    var status: InstanceStatus
    /// The last pid the runner reported (`status.pid` is nil while no process runs).
    var pid: Int32?
    /// The runner has been ready at least once (only then can its color fail over).
    var hasServed: Bool
    var reported: RolloutStateMachine.InstanceObservation?

    var ready: Bool { status.ready }
}

// Runner snapshots → the three things a rollout cares about: ready, not ready, crashed.
extension DeployedService {
    /// Records the snapshot of `color`'s current runner; returns the observation to send the
    /// machine, nil when nothing changed for it.
    ///
    /// A crash is an exit the runner did not plan: a higher restart count (it was restarted at
    /// once) or a state of backoff, crashloop or failed. It is reported once per runner.
    func observation(of color: Color, _ status: InstanceStatus) -> RolloutStateMachine.InstanceObservation? {
        let previous = observed[color]
        let state = InstanceState(rawValue: status.state)
        let lastPid = previous?.pid.map { "pid \($0) " } ?? ""
        let next: RolloutStateMachine.InstanceObservation
        if let previous, status.restarts > previous.status.restarts {
            next = .crashed("\(lastPid)exited and was restarted (restart \(status.restarts))")
        } else if let state, [.backoff, .crashloop, .failed].contains(state) {
            next = .crashed("\(lastPid)exited; the instance is \(state.rawValue)")
        } else {
            next = status.ready ? .ready : .notReady
        }
        let alreadyCrashed = if case .crashed? = previous?.reported { true } else { false }
        let reported: RolloutStateMachine.InstanceObservation? = alreadyCrashed ? previous?.reported : next
        observed[color] = ObservedInstance(
            status: status, pid: status.pid ?? previous?.pid, hasServed: status.ready || previous?.hasServed == true, reported: reported
        )
        if alreadyCrashed || next == previous?.reported { return nil }
        return next
    }
}
