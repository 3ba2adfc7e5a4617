/// Where a rollout is (SPEC section 4). Raw values appear in `vigil status --json`
/// (`rollout.phase`), in `vigil history` and in `vigil.db`: scripts match on them.
///
/// starting → analyzing → [shifting ⇄ paused] → verifying → draining → warm → completed,
/// and from any phase before `completed`: rolling_back → rolled_back (or aborted).
public enum RolloutPhase: String, Sendable, Codable, CaseIterable {
    /// The new revision is starting on the idle color; the old color has all traffic.
    case starting
    /// The new color is ready; the pre-promotion check runs (readiness, optional Prometheus).
    case analyzing
    /// Waiting for `vigil promote`: `autoPromote: false`, or a canary `pause` without duration.
    case paused
    /// Canary steps: traffic moves by `setWeight`, timed `pause`s judge each share.
    case shifting
    /// All traffic on the new color; post-promotion analysis over `analysis.window`.
    case verifying
    /// Promoted; the old color finishes its in-flight requests (up to `drainTimeout`).
    case draining
    /// The old color stays running `scaleDownDelay` for an instant rollback.
    case warm
    /// Traffic is back on the old color; the new one finishes its requests, then stops.
    case rollingBack = "rolling_back"
    case completed
    case rolledBack = "rolled_back"
    /// Ended without a verdict: the service was stopped or replaced mid-rollout, or a fast
    /// rollback could not bring the previous revision up (traffic stayed where it was).
    case aborted

    public var isFinished: Bool { self == .completed || self == .rolledBack || self == .aborted }

    /// Phases in which the new color has been ready and must stay so.
    var expectsNewColorReady: Bool {
        switch self {
        case .analyzing, .paused, .shifting, .verifying, .draining, .warm: true
        case .starting, .rollingBack, .completed, .rolledBack, .aborted: false
        }
    }
}

/// How a rollout ended; the `result` label of `vigil_rollouts_total`.
public enum RolloutResult: String, Sendable, Codable, CaseIterable {
    case promoted
    case rolledBack = "rolled_back"
    case aborted
}

/// Why a rollout was started.
public enum RolloutTrigger: String, Sendable, Codable, CaseIterable {
    /// `vigil deploy`.
    case deploy
    /// `vigil restart` of a blue-green service: the same revision, no downtime.
    case restart
    /// `vigil reload` (or SIGHUP) with a changed manifest.
    case reload
    /// `vigil rollback` after the old color was stopped: a fast rollout of the previous revision.
    case rollback
}
