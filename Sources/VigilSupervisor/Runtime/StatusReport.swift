import Foundation

/// `vigil status --json` and `GET /v1/status`: one object, stable for scripts (SPEC section 1).
///
/// Optional fields are written as `null`, never left out, so scripts can rely on every key.
public struct StatusReport: Codable, Sendable, Equatable {
    public var services: [ServiceStatus]
    public init(services: [ServiceStatus]) { self.services = services }
}

public struct ServiceStatus: Codable, Sendable, Equatable {
    public var name: String
    /// The state of the active instance (section 3 values).
    public var state: String
    /// null without a deploy section.
    public var activeColor: String?
    public var revision: String?
    public var version: String?
    public var instances: [InstanceStatus]
    public var rollout: RolloutStatus?

    public init(name: String, state: String, activeColor: String?, revision: String?, version: String?, instances: [InstanceStatus], rollout: RolloutStatus?) {
        self.name = name
        self.state = state
        self.activeColor = activeColor
        self.revision = revision
        self.version = version
        self.instances = instances
        self.rollout = rollout
    }

    enum CodingKeys: String, CodingKey { case name, state, activeColor, revision, version, instances, rollout }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(state, forKey: .state)
        try c.encode(activeColor, forKey: .activeColor)
        try c.encode(revision, forKey: .revision)
        try c.encode(version, forKey: .version)
        try c.encode(instances, forKey: .instances)
        try c.encode(rollout, forKey: .rollout)
    }
}

public struct InstanceStatus: Codable, Sendable, Equatable {
    /// `blue`/`green`, or `default` without a deploy section.
    public var color: String
    public var pid: Int32?
    public var state: String
    public var ready: Bool
    public var restarts: Int
    public var rssBytes: UInt64?
    public var cpuSeconds: Double?
    public var startedAt: Date?

    public init(color: String, pid: Int32?, state: String, ready: Bool, restarts: Int, rssBytes: UInt64?, cpuSeconds: Double?, startedAt: Date?) {
        self.color = color
        self.pid = pid
        self.state = state
        self.ready = ready
        self.restarts = restarts
        self.rssBytes = rssBytes
        self.cpuSeconds = cpuSeconds
        self.startedAt = startedAt
    }

    enum CodingKeys: String, CodingKey { case color, pid, state, ready, restarts, rssBytes, cpuSeconds, startedAt }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(color, forKey: .color)
        try c.encode(pid, forKey: .pid)
        try c.encode(state, forKey: .state)
        try c.encode(ready, forKey: .ready)
        try c.encode(restarts, forKey: .restarts)
        try c.encode(rssBytes, forKey: .rssBytes)
        try c.encode(cpuSeconds, forKey: .cpuSeconds)
        try c.encode(startedAt, forKey: .startedAt)
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
