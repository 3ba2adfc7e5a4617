import VigilManifest

/// What one watched filesystem may clean, resolved from the config and the loaded manifests.
public struct ReclaimTargets: Sendable, Equatable {
    /// One service's release directories.
    public struct Releases: Sendable, Equatable {
        public var service: String
        /// `releases.dir`, resolved.
        public var dir: String
        public var keep: Int

        public init(service: String, dir: String, keep: Int) {
            self.service = service
            self.dir = dir
            self.keep = keep
        }

        /// The `releases` sections of `services`, directories resolved.
        public static func all(of services: [ServiceSpec]) -> [Releases] {
            services.compactMap { spec in
                spec.releases.map { Releases(service: spec.name, dir: ResolvedPath.resolve($0.dir), keep: $0.keep) }
            }
        }
    }

    public struct Glob: Sendable, Equatable {
        public var pattern: String
        public var olderThan: Duration

        public init(pattern: String, olderThan: Duration) {
            self.pattern = pattern
            self.olderThan = olderThan
        }
    }

    /// The logs dir when `logs` is in `clean`.
    public var logsDir: String?
    /// Services with a `releases` section, when `releases` is in `clean`.
    public var releases: [Releases]
    public var globs: [Glob]
    /// Every service's releases, cleaned or not: a glob never deletes one in use.
    public var guarded: [Releases]

    public init(logsDir: String? = nil, releases: [Releases] = [], globs: [Glob] = [], guarded: [Releases]? = nil) {
        self.logsDir = logsDir
        self.releases = releases
        self.globs = globs
        self.guarded = guarded ?? releases
    }

    /// The targets of `disk` given the supervisor's logs dir and the services' `releases` sections.
    public init(_ disk: DiskReclaimConfig, logsDir: String, services: [ServiceSpec]) {
        self.init(guarded: Releases.all(of: services))
        for target in disk.clean {
            switch target {
            case .logs:
                self.logsDir = ResolvedPath.resolve(logsDir)
            case .releases:
                releases = guarded
            case .glob(let pattern, let olderThan):
                globs.append(Glob(pattern: pattern, olderThan: olderThan))
            }
        }
    }
}
