/// One supervised service, as a `kind: Service` manifest describes it, validated and with every
/// default filled in.
///
/// Two specs compare equal exactly when running them would be the same: reload restarts a
/// service only when its spec changed. Where it was read from lives in ``LoadedService``.
/// Codable so a deployed revision can keep the exact spec it ran with in `vigil.db`.
public struct ServiceSpec: Sendable, Hashable, Codable {
    /// `[a-z0-9-]{1,63}`.
    public var name: String
    /// argv, before `${VAR}` expansion (expansion happens per instance at spawn time).
    public var command: [String]
    /// Absolute working directory; nil means the directory of the manifest file.
    public var workingDir: String?
    public var user: String?
    public var env: [String: String]
    public var releases: ReleasesSpec?
    /// The port of a service without a deploy section; exported to it as `${PORT}`.
    public var port: UInt16?
    public var restart: RestartSpec
    public var stop: StopSpec
    public var probes: ProbesSpec
    public var resources: ResourcesSpec
    public var logs: LogSpec
    public var deploy: DeploySpec?
    /// `controlRole`: what the service's own processes may do on the control socket, whatever
    /// their uid; nil (not written) means ``Role/viewer``. Optional so specs stored before the
    /// field existed still decode.
    public var controlRole: Role?

    public init(
        name: String, command: [String], workingDir: String? = nil, user: String? = nil,
        env: [String: String] = [:], releases: ReleasesSpec? = nil, port: UInt16? = nil,
        restart: RestartSpec = .init(), stop: StopSpec = .init(), probes: ProbesSpec = .init(),
        resources: ResourcesSpec = .init(), logs: LogSpec = .init(), deploy: DeploySpec? = nil
    ) {
        self.name = name
        self.command = command
        self.workingDir = workingDir
        self.user = user
        self.env = env
        self.releases = releases
        self.port = port
        self.restart = restart
        self.stop = stop
        self.probes = probes
        self.resources = resources
        self.logs = logs
        self.deploy = deploy
    }
}

/// A service spec together with where it came from, for messages that point at the file.
public struct LoadedService: Sendable, Equatable {
    public var spec: ServiceSpec
    /// Location of the document's `name:` key.
    public var origin: SourceLocation
    public init(spec: ServiceSpec, origin: SourceLocation) {
        self.spec = spec
        self.origin = origin
    }
}

/// Everything `vigil up` runs: the supervisor settings and the services, in manifest order
/// (files sorted by name, documents in file order).
public struct LoadedConfiguration: Sendable, Equatable {
    public var supervisor: SupervisorConfig
    public var services: [LoadedService]
    public init(supervisor: SupervisorConfig, services: [LoadedService]) {
        self.supervisor = supervisor
        self.services = services
    }
    public func service(named name: String) -> LoadedService? { services.first { $0.spec.name == name } }
}

public struct ReleasesSpec: Sendable, Hashable, Codable {
    public var dir: String
    public var keep: Int
    public init(dir: String, keep: Int = 3) {
        self.dir = dir
        self.keep = keep
    }
}

public enum RestartPolicy: String, Sendable, Hashable, CaseIterable, Codable {
    case always
    case onFailure = "on-failure"
    case never
}

public struct BackoffSpec: Sendable, Hashable, Codable {
    public var initial: Duration
    public var max: Duration
    public var multiplier: Double
    /// Each delay is spread uniformly by ± this fraction.
    public var jitter: Ratio
    public init(initial: Duration = .milliseconds(100), max: Duration = .seconds(30), multiplier: Double = 2, jitter: Ratio = Ratio(0.1)) {
        self.initial = initial
        self.max = max
        self.multiplier = multiplier
        self.jitter = jitter
    }
}

public struct CrashLoopSpec: Sendable, Hashable, Codable {
    /// This many restarts ...
    public var restarts: Int
    /// ... within this window make a crash loop.
    public var within: Duration
    public init(restarts: Int = 5, within: Duration = .seconds(60)) {
        self.restarts = restarts
        self.within = within
    }
}

public struct RestartSpec: Sendable, Hashable, Codable {
    public var policy: RestartPolicy
    public var backoff: BackoffSpec
    /// Running this long without a failure starts the backoff over.
    public var resetAfter: Duration
    public var crashLoop: CrashLoopSpec
    public init(policy: RestartPolicy = .always, backoff: BackoffSpec = .init(), resetAfter: Duration = .seconds(60), crashLoop: CrashLoopSpec = .init()) {
        self.policy = policy
        self.backoff = backoff
        self.resetAfter = resetAfter
        self.crashLoop = crashLoop
    }
}

public struct StopSpec: Sendable, Hashable, Codable {
    public var signal: SignalName
    /// After this, SIGKILL to the whole process group.
    public var timeout: Duration
    public init(signal: SignalName = .term, timeout: Duration = .seconds(10)) {
        self.signal = signal
        self.timeout = timeout
    }
}

/// What a probe does; the timing fields live in ``ProbeSpec``.
public enum ProbeAction: Sendable, Hashable, Codable {
    /// GET `scheme://127.0.0.1:port/path`; 200–399 is success (as Kubernetes). nil port: the instance's port.
    case http(path: String, port: UInt16?, scheme: String, headers: [String: String])
    /// A TCP connect to 127.0.0.1:port; nil port: the instance's port.
    case tcp(port: UInt16?)
    /// Exit status 0 is success. argv, `${VAR}` expanded like `command`.
    case exec(command: [String])
}

/// A probe with Kubernetes field names and defaults (period 10s, timeout 1s, thresholds 1 and 3).
public struct ProbeSpec: Sendable, Hashable, Codable {
    public var action: ProbeAction
    public var initialDelay: Duration
    public var period: Duration
    public var timeout: Duration
    public var successThreshold: Int
    public var failureThreshold: Int
    public init(action: ProbeAction, initialDelay: Duration = .zero, period: Duration = .seconds(10), timeout: Duration = .seconds(1), successThreshold: Int = 1, failureThreshold: Int = 3) {
        self.action = action
        self.initialDelay = initialDelay
        self.period = period
        self.timeout = timeout
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
    }
}

public enum ProbeKind: String, Sendable, Hashable, CaseIterable, Codable {
    case startup, liveness, readiness
}

public struct ProbesSpec: Sendable, Hashable, Codable {
    public var startup: ProbeSpec?
    public var liveness: ProbeSpec?
    public var readiness: ProbeSpec?
    public init(startup: ProbeSpec? = nil, liveness: ProbeSpec? = nil, readiness: ProbeSpec? = nil) {
        self.startup = startup
        self.liveness = liveness
        self.readiness = readiness
    }
    public subscript(kind: ProbeKind) -> ProbeSpec? {
        switch kind {
        case .startup: startup
        case .liveness: liveness
        case .readiness: readiness
        }
    }
}

public struct ResourcesSpec: Sendable, Hashable, Codable {
    /// Above this: reclaim event, then a graceful restart.
    public var memoryHigh: ByteSize?
    /// Above this: killed at once.
    public var memoryMax: ByteSize?
    public init(memoryHigh: ByteSize? = nil, memoryMax: ByteSize? = nil) {
        self.memoryHigh = memoryHigh
        self.memoryMax = memoryMax
    }
}

public struct LogSpec: Sendable, Hashable, Codable {
    public var maxSize: ByteSize
    public var keep: Int
    public var compress: Bool
    /// nil: every line is kept, and a writer faster than the disk is slowed by its pipe.
    public var rateLimit: LogRateLimit?
    public init(maxSize: ByteSize = ByteSize(bytes: 10 << 20), keep: Int = 5, compress: Bool = true, rateLimit: LogRateLimit? = nil) {
        self.maxSize = maxSize
        self.keep = keep
        self.compress = compress
        self.rateLimit = rateLimit
    }
}

public enum DeployStrategy: String, Sendable, Hashable, Codable {
    case blueGreen, canary
}

public enum RouterKind: String, Sendable, Hashable, Codable {
    case builtin, nginx
}

/// What the builtin router carries (`deploy.protocol`): HTTP/1.1 requests, each sent to a color
/// by weight, or raw TCP, each connection sent to a color by weight and spliced.
public enum TrafficProtocol: String, Sendable, Hashable, Codable {
    case http, tcp
}

public enum StandbyMode: String, Sendable, Hashable, Codable {
    case cold, warm
}

public enum Color: String, Sendable, Hashable, CaseIterable, Codable, CodingKeyRepresentable {
    case blue, green
    public var other: Color { self == .blue ? .green : .blue }
}

public enum CanaryStep: Sendable, Hashable, Codable {
    case setWeight(Int)
    case pause(Duration?)   // nil: wait for `vigil promote`
}

public struct AnalysisSpec: Sendable, Hashable, Codable {
    public struct Prometheus: Sendable, Hashable, Codable {
        public var url: String
        public var query: String
        /// e.g. `< 0.01`; comparison operator and number.
        public var successCondition: String
        public init(url: String, query: String, successCondition: String) {
            self.url = url
            self.query = query
            self.successCondition = successCondition
        }
    }
    public var interval: Duration
    public var window: Duration
    public var minRequests: Int
    public var maxErrorRate: Ratio
    public var maxLatencyP99: Duration
    public var prometheus: Prometheus?
    public init(interval: Duration = .seconds(5), window: Duration = .seconds(30), minRequests: Int = 20, maxErrorRate: Ratio = Ratio(0.01), maxLatencyP99: Duration = .milliseconds(500), prometheus: Prometheus? = nil) {
        self.interval = interval
        self.window = window
        self.minRequests = minRequests
        self.maxErrorRate = maxErrorRate
        self.maxLatencyP99 = maxLatencyP99
        self.prometheus = prometheus
    }
}

public struct NginxSpec: Sendable, Hashable, Codable {
    public var upstreamFile: String
    public var reload: [String]
    /// Checks the configuration after the upstream file changed, before `reload`.
    public var test: [String]
    /// An access log in Vigil's `log_format` (docs/SPEC.md), tailed for per-color stats.
    public var accessLog: String?
    public init(upstreamFile: String, reload: [String] = ["nginx", "-s", "reload"], test: [String] = ["nginx", "-t"], accessLog: String? = nil) {
        self.upstreamFile = upstreamFile
        self.reload = reload
        self.test = test
        self.accessLog = accessLog
    }
}

public struct DeploySpec: Sendable, Hashable, Codable {
    public var strategy: DeployStrategy
    public var listen: HostPort
    public var ports: [Color: UInt16]
    public var router: RouterKind
    public var nginx: NginxSpec?
    public var autoPromote: Bool
    public var steps: [CanaryStep]
    public var analysis: AnalysisSpec
    public var drainTimeout: Duration
    public var scaleDownDelay: Duration
    public var progressDeadline: Duration
    public var standby: StandbyMode
    /// `deploy.protocol`.
    public var trafficProtocol: TrafficProtocol
    /// `deploy.overridableEnv`: the env names `vigil deploy --env` may set; nil or empty, none.
    /// Never one of ``ProtectedEnvironment`` (the loader rejects those).
    public var overridableEnv: [String]?
    public init(
        strategy: DeployStrategy = .blueGreen, listen: HostPort, ports: [Color: UInt16],
        router: RouterKind = .builtin, nginx: NginxSpec? = nil, autoPromote: Bool = true,
        steps: [CanaryStep] = [], analysis: AnalysisSpec = .init(), drainTimeout: Duration = .seconds(30),
        scaleDownDelay: Duration = .seconds(30), progressDeadline: Duration = .seconds(300), standby: StandbyMode = .cold,
        trafficProtocol: TrafficProtocol = .http
    ) {
        self.strategy = strategy
        self.listen = listen
        self.ports = ports
        self.router = router
        self.nginx = nginx
        self.autoPromote = autoPromote
        self.steps = steps
        self.analysis = analysis
        self.drainTimeout = drainTimeout
        self.scaleDownDelay = scaleDownDelay
        self.progressDeadline = progressDeadline
        self.standby = standby
        self.trafficProtocol = trafficProtocol
    }
}
