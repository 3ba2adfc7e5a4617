import Foundation

/// `vigil status --json` and `GET /v1/status`: one object, stable for scripts (SPEC section 1).
///
/// Optional fields are written as `null`, never left out (``ExplicitNull``), so scripts can rely on every key.
public struct StatusReport: Codable, Sendable, Equatable {
    public var services: [ServiceStatus]
    /// How memory limits are enforced: "cgroup v1", "cgroup v2" or "sampled, no cgroup (REASON)".
    @ExplicitNull public var memoryLimits: String?
    public init(services: [ServiceStatus], memoryLimits: String? = nil) {
        self.services = services
        self.memoryLimits = memoryLimits
    }
}

public struct ServiceStatus: Codable, Sendable, Equatable {
    public var name: String
    /// The state of the active instance (section 3 values).
    public var state: String
    /// null without a deploy section.
    @ExplicitNull public var activeColor: String?
    @ExplicitNull public var revision: String?
    @ExplicitNull public var version: String?
    public var instances: [InstanceStatus]
    @ExplicitNull public var rollout: RolloutStatus?
    /// The warm standby (`deploy.standby: warm`, no rollout in progress); null otherwise.
    @ExplicitNull public var standby: StandbyStatus?

    public init(
        name: String, state: String, activeColor: String?, revision: String?, version: String?, instances: [InstanceStatus],
        rollout: RolloutStatus?, standby: StandbyStatus? = nil
    ) {
        self.name = name
        self.state = state
        self.activeColor = activeColor
        self.revision = revision
        self.version = version
        self.instances = instances
        self.rollout = rollout
        self.standby = standby
    }
}

public struct InstanceStatus: Codable, Sendable, Equatable {
    /// `blue`/`green`, or `default` without a deploy section.
    public var color: String
    @ExplicitNull public var pid: Int32?
    public var state: String
    public var ready: Bool
    public var restarts: Int
    @ExplicitNull public var rssBytes: UInt64?
    @ExplicitNull public var cpuSeconds: Double?
    @ExplicitNull public var startedAt: Date?
    /// What the instance's cgroup is charged (all its processes, page cache included); null without one.
    @ExplicitNull public var memoryBytes: UInt64?
    /// `resources.memory.high` and `max`; null when not set.
    @ExplicitNull public var memoryHighBytes: UInt64?
    @ExplicitNull public var memoryMaxBytes: UInt64?

    public init(
        color: String, pid: Int32?, state: String, ready: Bool, restarts: Int, rssBytes: UInt64?, cpuSeconds: Double?, startedAt: Date?,
        memoryBytes: UInt64? = nil, memoryHighBytes: UInt64? = nil, memoryMaxBytes: UInt64? = nil
    ) {
        self.memoryBytes = memoryBytes
        self.memoryHighBytes = memoryHighBytes
        self.memoryMaxBytes = memoryMaxBytes
        self.color = color
        self.pid = pid
        self.state = state
        self.ready = ready
        self.restarts = restarts
        self.rssBytes = rssBytes
        self.cpuSeconds = cpuSeconds
        self.startedAt = startedAt
    }
}

/// A rollout in progress (VigilDeploy's DeployedService fills it); `phase` is a RolloutPhase raw value.
public struct RolloutStatus: Codable, Sendable, Equatable {
    public var id: String
    public var phase: String
    public var weights: [String: Int]
    public var startedAt: Date

    public init(id: String, phase: String, weights: [String: Int], startedAt: Date) {
        self.id = id
        self.phase = phase
        self.weights = weights
        self.startedAt = startedAt
    }
}

/// The idle color of a `standby: warm` service, running the active revision as a hot spare; its
/// process, state and readiness are in `instances` under the same color.
public struct StandbyStatus: Codable, Sendable, Equatable {
    public var color: String
    /// True while the standby has all the traffic because the active color is not ready.
    public var serving: Bool

    public init(color: String, serving: Bool) {
        self.color = color
        self.serving = serving
    }
}
