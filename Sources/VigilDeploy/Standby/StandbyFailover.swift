import VigilManifest

/// Where a `standby: warm` service's traffic goes between rollouts: to the active color while it
/// is ready, to the standby (the idle color, running the same revision) while the active one is
/// not and the standby is.
///
/// This is the hot spare operators miss in pm2 and systemd: when the active color crashes, is
/// restarted by liveness or fails readiness, requests move to a process that is already up
/// instead of failing until the active one is back; once it is ready again they return. Both
/// colors run the active revision, so nothing about the deployment changes and nothing is
/// persisted: the recorded active color stays, only the router's weights move.
///
/// A failover needs an active color that has been ready since it was started: one that is only
/// coming up (at `vigil up`, after a restart of Vigil) is not failing, and whichever color
/// happened to be ready a moment earlier should not cause a failover and failback at every start.
///
/// It is off (and hands traffic back to the active color) while a rollout is in progress, since
/// the rollout owns both colors and its own rollback rules decide; and with `standby: cold`.
/// When neither color is ready, traffic stays where it is: moving it would not help, and the
/// first of the two to become ready is where it goes next.
///
/// A value with no I/O: ``DeployedService`` feeds it each change of readiness and applies the
/// weights of the decision, then calls ``applied(_:)``, so a router that refuses the weights
/// leaves the decision to be made again.
///
/// ```swift
/// var failover = StandbyFailover()
/// let down = StandbyFailover.Situation(active: .blue, activeReady: false, standbyReady: true, enabled: true)
/// if let decision = failover.decide(down) {       // .failover(to: .green)
///     try await router.apply(RoutingTable(weights: decision.weights, ports: ports))
///     failover.applied(decision)
/// }
/// ```
public struct StandbyFailover: Sendable, Equatable {
    /// What the decision is made from.
    public struct Situation: Sendable, Equatable {
        /// The recorded active color; the standby is the other one.
        public var active: Color
        public var activeReady: Bool
        /// The active color's instance has been ready at least once since it was started.
        public var activeHasServed: Bool
        public var standbyReady: Bool
        /// `standby: warm` and no rollout in progress.
        public var enabled: Bool

        public init(active: Color, activeReady: Bool, activeHasServed: Bool = true, standbyReady: Bool, enabled: Bool) {
            self.active = active
            self.activeReady = activeReady
            self.activeHasServed = activeHasServed || activeReady
            self.standbyReady = standbyReady
            self.enabled = enabled
        }

        public var standby: Color { active.other }
    }

    /// A move of all traffic to one color.
    public enum Decision: Sendable, Equatable {
        /// The active color is not ready and the standby is: all traffic to the standby.
        case failover(to: Color)
        /// Traffic returns to the active color: it is ready again, or failover was turned off
        /// (a rollout starts, `standby: cold`).
        case failback(to: Color)

        /// The color that gets all the traffic.
        public var color: Color {
            switch self {
            case .failover(let color), .failback(let color): color
            }
        }

        /// The router weights that carry it out.
        public var weights: [Color: Int] { [color: 100, color.other: 0] }
    }

    /// The standby color while it has the traffic; nil while the active color has it.
    public private(set) var servingStandby: Color?

    public init() {}

    /// Whether traffic is on the standby now.
    public var isFailedOver: Bool { servingStandby != nil }

    /// The move `situation` calls for, or nil when traffic should stay where it is. Nothing
    /// changes until ``applied(_:)``.
    public func decide(_ situation: Situation) -> Decision? {
        // After a rollout the active color may be the one traffic was moved to: then traffic is
        // already where the active color is.
        let failedOver = servingStandby == situation.standby
        guard situation.enabled else { return failedOver ? .failback(to: situation.active) : nil }
        if failedOver {
            return situation.activeReady ? .failback(to: situation.active) : nil
        }
        let activeLost = situation.activeHasServed && !situation.activeReady
        return activeLost && situation.standbyReady ? .failover(to: situation.standby) : nil
    }

    /// The router took the decision's weights.
    public mutating func applied(_ decision: Decision) {
        switch decision {
        case .failover(let standby): servingStandby = standby
        case .failback: servingStandby = nil
        }
    }
}
