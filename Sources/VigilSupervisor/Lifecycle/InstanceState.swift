/// The lifecycle state of one instance (a service, or one color of a blue-green service).
///
/// The raw values are the `state` strings of `vigil status --json`, the control API and the
/// `vigil_service_state` metric label: scripts match on them.
public enum InstanceState: String, Sendable, Codable, CaseIterable {
    /// Not running and not meant to be.
    case stopped
    /// Spawned; the startup probe has not passed yet.
    case starting
    /// Alive, but not ready for traffic (readiness not passed, or lost).
    case running
    /// Alive and ready for traffic.
    case ready
    /// Alive, but the liveness probe is failing; restarted at `failureThreshold`.
    case unhealthy
    /// Exited; waiting out the backoff delay before the next start.
    case backoff
    /// Like backoff, but restarting too often (`crashLoop`): alerted, retried at the maximum delay.
    case crashloop
    /// Stop signal sent; waiting for the process group to exit.
    case stopping
    /// The restart policy gave up (`never`, or `on-failure` after a clean exit).
    case failed

    /// Whether a process of this instance may be alive in this state.
    public var hasProcess: Bool {
        switch self {
        case .starting, .running, .ready, .unhealthy, .stopping: true
        case .stopped, .backoff, .crashloop, .failed: false
        }
    }
}
