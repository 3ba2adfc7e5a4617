/// `vigil.yaml`, kind `Supervisor`: the settings of the supervisor itself.
///
/// Paths are absolute once loaded: relative ones are resolved against the directory of the
/// config file (or the current directory when Vigil runs without one).
public struct SupervisorConfig: Sendable, Equatable {
    /// The file this was read from; nil when Vigil runs on defaults.
    public var file: String?
    public var stateDir: String
    public var manifestDirs: [String]
    public var control: ControlConfig
    public var metrics: MetricsConfig?
    public var reclaim: ReclaimConfig?
    public var notify: NotifyConfig

    public init(
        file: String? = nil, stateDir: String, manifestDirs: [String],
        control: ControlConfig, metrics: MetricsConfig? = nil, reclaim: ReclaimConfig? = nil,
        notify: NotifyConfig = .init()
    ) {
        self.file = file
        self.stateDir = stateDir
        self.manifestDirs = manifestDirs
        self.control = control
        self.metrics = metrics
        self.reclaim = reclaim
        self.notify = notify
    }

    public var databasePath: String { stateDir + "/vigil.db" }
    public var logsDir: String { stateDir + "/logs" }
}

public struct ControlConfig: Sendable, Equatable {
    /// Unix socket path; created with mode 0660.
    public var socket: String
    /// Optional TCP listener; bearer tokens are required there.
    public var listen: HostPort?
    public var tokens: [TokenConfig]
    public var webhooks: [WebhookConfig]
    /// `control.roles`: what users and groups other than root may do over the socket.
    public var roles: [RoleGrant]
    public init(socket: String, listen: HostPort? = nil, tokens: [TokenConfig] = [], webhooks: [WebhookConfig] = [], roles: [RoleGrant] = []) {
        self.socket = socket
        self.roles = roles
        self.listen = listen
        self.tokens = tokens
        self.webhooks = webhooks
    }
}

/// What a caller of the control API may do; each role may do all a lower one may.
///
/// viewer reads (status, services, history, events); operator also deploys, promotes, rolls
/// back, starts, stops and restarts; admin also reloads, reclaims, injects faults and reads
/// the audit log.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case viewer, `operator`, admin
    public static func < (a: Role, b: Role) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

public struct TokenConfig: Sendable, Equatable {
    public var name: String
    /// Lower-case hex SHA-256 of the token; the token itself never lives in config.
    public var sha256: String
    public var role: Role
    public init(name: String, sha256: String, role: Role) {
        self.name = name
        self.sha256 = sha256
        self.role = role
    }
}

public struct WebhookConfig: Sendable, Equatable {
    public var name: String
    public var secretFile: String
    public var services: [String]
    public init(name: String, secretFile: String, services: [String]) {
        self.name = name
        self.secretFile = secretFile
        self.services = services
    }
}

public struct MetricsConfig: Sendable, Equatable {
    public var listen: HostPort
    public init(listen: HostPort) { self.listen = listen }
}

/// `reclaim`: how often the watched filesystems are read and what may be freed on each.
public struct ReclaimConfig: Sendable, Equatable {
    public var interval: Duration
    public var disk: [DiskReclaimConfig]
    public var memory: MemoryReclaimConfig?
    public init(interval: Duration = .seconds(5), disk: [DiskReclaimConfig] = [], memory: MemoryReclaimConfig? = nil) {
        self.interval = interval
        self.disk = disk
        self.memory = memory
    }
}

/// `reclaim.memory`: above `hostHighWatermark` of the host's memory in use, the largest instance
/// with a `memory.high` limit is replaced first (SPEC section 5).
public struct MemoryReclaimConfig: Sendable, Equatable {
    public var hostHighWatermark: Ratio
    public init(hostHighWatermark: Ratio) { self.hostHighWatermark = hostHighWatermark }
}

/// One watched filesystem: above `highWatermark` (of bytes or of inodes) the targets in `clean`
/// are freed, in SPEC order, until both are below `lowWatermark`.
public struct DiskReclaimConfig: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        /// Rotated service logs in the logs dir (`SERVICE[-COLOR].log.N[.gz]`).
        case logs
        /// Release directories beyond each service's `releases.keep`.
        case releases
        /// Files or directories matching `pattern` last modified more than `olderThan` ago.
        case glob(pattern: String, olderThan: Duration)
    }
    /// Absolute, symlinks resolved at load (``ResolvedPath``).
    public var path: String
    public var highWatermark: Ratio
    public var lowWatermark: Ratio
    public var clean: [Target]
    public init(path: String, highWatermark: Ratio, lowWatermark: Ratio, clean: [Target]) {
        self.path = path
        self.highWatermark = highWatermark
        self.lowWatermark = lowWatermark
        self.clean = clean
    }
}

public struct NotifyConfig: Sendable, Equatable {
    public struct Webhook: Sendable, Equatable {
        public var url: String
        /// Event classes to send: rollout, rollback, crashloop, reclaim.
        public var events: [String]
        public init(url: String, events: [String]) {
            self.url = url
            self.events = events
        }
    }
    public var webhooks: [Webhook]
    public init(webhooks: [Webhook] = []) { self.webhooks = webhooks }
}

/// One entry of `control.roles`: a user or a group of the host, and the role its peers on the
/// control socket get (`{group: vigil-ops, role: operator}`, `{user: alice, role: viewer}`).
public struct RoleGrant: Sendable, Equatable {
    public enum Subject: Sendable, Equatable {
        case user(String)
        case group(String)
    }
    public var subject: Subject
    public var role: Role
    public init(_ subject: Subject, role: Role) {
        self.subject = subject
        self.role = role
    }
}
