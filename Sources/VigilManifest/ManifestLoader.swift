import Foundation

/// Reads `vigil.yaml` and `manifests/*.yaml` into a validated ``LoadedConfiguration``.
///
/// Loading is all or nothing: every problem in every file is collected and thrown together as
/// ``ManifestErrors``, so `vigil up` refuses to start and `vigil reload` keeps the running
/// config, with the whole list to fix in one pass.
///
/// What loading promises about the result:
/// - every default of the model initialisers is filled in;
/// - paths are absolute: the config's relative to its own directory, a service's `workingDir`,
///   `releases.dir` and `nginx.upstreamFile` relative to its manifest's directory;
/// - a relative program path in `command` (`./bin/app`) is made absolute against the
///   working directory (or the manifest's directory), after checking it is executable;
/// - service names are unique and no two listeners share a port.
public enum ManifestLoader {
    /// What `vigil up` runs.
    ///
    /// - Parameters:
    ///   - configPath: the `Supervisor` file; nil uses `./vigil.yaml` when it exists, else
    ///     defaults (stateDir `<cwd>/.vigil`, manifests `<cwd>/manifests`, control socket
    ///     `<stateDir>/control.sock`).
    ///   - manifestDirs: when non-nil, replaces the config's `manifests` list (relative to the
    ///     current directory). A missing directory is an error only when named explicitly.
    ///   - builtins: variable values known now (e.g. `["VIGIL_BIN": "/usr/bin/vigil"]`), used to
    ///     check that each command exists.
    public static func load(configPath: String?, manifestDirs: [String]?, builtins: [String: String]) throws(ManifestErrors) -> LoadedConfiguration {
        let session = LoadSession(builtins: builtins)
        let config = loadAll(session, configPath: configPath, manifestDirs: manifestDirs)
        let errors = session.sortedErrors
        guard errors.isEmpty else { throw ManifestErrors(errors) }
        return LoadedConfiguration(
            supervisor: config,
            services: session.services.map { LoadedService(spec: $0.spec, origin: $0.origin) }
        )
    }

    /// `vigil check PATH...`: validates without running anything.
    ///
    /// Each path is a file or a directory of manifests. A file holding a `Supervisor` document
    /// is read as the config; when only config files are given, the config's manifest
    /// directories are checked too. No paths: the same files as `load(configPath: nil,
    /// manifestDirs: nil)`.
    public static func check(paths: [String], builtins: [String: String]) -> CheckReport {
        let session = LoadSession(builtins: builtins)
        if paths.isEmpty {
            _ = loadAll(session, configPath: nil, manifestDirs: nil)
        } else {
            var onlyConfigFiles = true
            for path in paths {
                var isDirectory: ObjCBool = false
                if !FileManager.default.fileExists(atPath: session.absolute(path), isDirectory: &isDirectory) {
                    session.diagnostics.error(SourceLocation(file: path, line: 1, column: 1), "no such file or directory; check the path")
                    onlyConfigFiles = false
                } else if isDirectory.boolValue {
                    session.readDirectory(path, role: .either, namedAt: SourceLocation(file: path, line: 1, column: 1))
                    onlyConfigFiles = false
                } else if !session.readFile(path, role: .either) {
                    onlyConfigFiles = false
                }
            }
            if onlyConfigFiles, let supervisor = session.supervisor {
                readManifestDirectories(session, supervisor, override: nil)
            }
            CrossChecks.run(session)
        }
        return CheckReport(errors: session.sortedErrors, files: session.files, services: session.services.map(\.spec.name))
    }

    /// The supervisor settings alone, for clients (`vigil status`, `vigil audit` ...) that only
    /// need the control socket and state paths: the config is read and checked on its own; the
    /// manifests, and the checks across files (ports, the services webhooks name), are left to
    /// `vigil up` and `vigil check`.
    public static func loadSettings(configPath: String?) throws(ManifestErrors) -> SupervisorConfig {
        let session = LoadSession(builtins: [:])
        let config = readConfig(session, configPath: configPath)
        let errors = session.sortedErrors
        guard errors.isEmpty else { throw ManifestErrors(errors) }
        return config
    }

    /// Reads the config (or takes the defaults), then its manifest directories, then runs the
    /// cross-file checks. Returns the supervisor config with `manifestDirs` as actually read.
    private static func loadAll(_ session: LoadSession, configPath: String?, manifestDirs: [String]?) -> SupervisorConfig {
        var config = readConfig(session, configPath: configPath)
        let decoded = session.supervisor ?? DecodedSupervisor(config: config, manifestEntries: nil, ports: [], webhookServices: [])
        config.manifestDirs = readManifestDirectories(session, decoded, override: manifestDirs)
        CrossChecks.run(session)
        return config
    }

    /// The config file (`configPath`, else `./vigil.yaml` when there is one) decoded, or the defaults.
    private static func readConfig(_ session: LoadSession, configPath: String?) -> SupervisorConfig {
        var path = configPath
        if path == nil, FileManager.default.fileExists(atPath: session.cwd + "/vigil.yaml") {
            path = "vigil.yaml"
        }
        var config = SupervisorDecoder.defaults(directory: session.cwd)
        if let path {
            config = SupervisorDecoder.defaults(directory: (session.absolute(path) as NSString).deletingLastPathComponent)
            config.file = session.absolute(path)
            session.readFile(path, role: .config)
            if let decoded = session.supervisor { config = decoded.config }
        }
        return config
    }

    /// Reads the manifest directories: `override` (from the command line) when given, else the
    /// config's `manifests`, else the default. Returns their absolute paths.
    @discardableResult
    private static func readManifestDirectories(_ session: LoadSession, _ supervisor: DecodedSupervisor, override: [String]?) -> [String] {
        if let override {
            for dir in override {
                session.readDirectory(dir, role: .manifest, namedAt: SourceLocation(file: dir, line: 1, column: 1))
            }
            return override.map(session.absolute)
        }
        if let entries = supervisor.manifestEntries {
            for entry in entries {
                session.readDirectory(entry.path, role: .manifest, namedAt: entry.location)
            }
            return entries.map(\.path)
        }
        for dir in supervisor.config.manifestDirs {
            session.readDirectory(dir, role: .manifest, namedAt: nil)
        }
        return supervisor.config.manifestDirs
    }
}
