import VigilManifest

/// Where the configuration comes from, so reload can read it again the same way `vigil up` did.
public struct ConfigurationSource: Sendable {
    public var configPath: String?
    public var manifestDirs: [String]?
    public var builtins: [String: String]

    public init(configPath: String?, manifestDirs: [String]?, builtins: [String: String]) {
        self.configPath = configPath
        self.manifestDirs = manifestDirs
        self.builtins = builtins
    }

    public func load() throws(ManifestErrors) -> LoadedConfiguration {
        try ManifestLoader.load(configPath: configPath, manifestDirs: manifestDirs, builtins: builtins)
    }
}

/// The result of `vigil reload` / SIGHUP.
public enum ReloadOutcome: Sendable {
    case applied(Supervisor.ReloadSummary)
    /// Nothing changed: the running configuration stays.
    case rejected(ManifestErrors)
}

extension Supervisor {
    /// Re-reads config and manifests; applies them only if every file is valid.
    ///
    /// Reloads run one at a time, in the order they were asked for: a SIGHUP arriving while a
    /// reload is restarting services waits for it instead of interleaving with it.
    public func reloadFromDisk(_ source: ConfigurationSource) async -> ReloadOutcome {
        let previous = pendingReload
        let task = Task { () -> ReloadOutcome in
            _ = await previous?.value
            return await self.reloadNow(source)
        }
        pendingReload = task
        return await task.value
    }

    /// Tells `observer` about every reload from disk, whichever way it was asked for (SIGHUP,
    /// `vigil reload`, the control API): systemd wants RELOADING=1/READY=1 around each of them.
    public func observeReloads(_ observer: ReloadObserver) {
        reloadObservers.append(observer)
    }

    private func reloadNow(_ source: ConfigurationSource) async -> ReloadOutcome {
        for observer in reloadObservers { await observer.willReload() }
        let outcome: ReloadOutcome
        switch await Self.read(source) {
        case .success(let configuration):
            outcome = .applied(await reload(to: configuration))
        case .failure(let errors):
            rejectReload(errors)
            outcome = .rejected(errors)
        }
        for observer in reloadObservers { await observer.didReload(outcome) }
        return outcome
    }

    /// Reads and validates every file off the actor, so status requests and the watchdog's
    /// heartbeat are answered while many manifests are parsed.
    private nonisolated static func read(_ source: ConfigurationSource) async -> Result<LoadedConfiguration, ManifestErrors> {
        Result { () throws(ManifestErrors) in try source.load() }
    }
}

/// Called before a reload starts and after it applied or was rejected.
public struct ReloadObserver: Sendable {
    public var willReload: @Sendable () async -> Void
    public var didReload: @Sendable (ReloadOutcome) async -> Void

    public init(willReload: @escaping @Sendable () async -> Void = {}, didReload: @escaping @Sendable (ReloadOutcome) async -> Void = { _ in }) {
        self.willReload = willReload
        self.didReload = didReload
    }
}
