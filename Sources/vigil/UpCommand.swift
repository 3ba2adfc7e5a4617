import ArgumentParser
import Foundation
import Hummingbird
import Logging
import VigilControl
import VigilDeploy
import VigilManifest
import VigilReclaim
import VigilSupervisor
import VigilTelemetry

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the supervisor in the foreground (what systemd runs).",
        discussion: "SIGHUP reloads; SIGTERM or SIGINT stops every service (signal, wait stop.timeout, SIGKILL the group) and exits 0."
    )

    @Option(name: .long, help: "Supervisor config (default: ./vigil.yaml if present, else built-in defaults).")
    var config: String?

    @Option(name: .customLong("manifests"), help: "Manifest directory; repeat for several (replaces the config's list).")
    var manifests: [String] = []

    @Option(name: .customLong("log-format"), help: "Vigil's own log lines on stderr: auto (journal under systemd, else text), text, json or journal.")
    var logFormat: LogFormat = .auto

    @Option(name: .customLong("log-level"), help: "Least severe level logged: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        VigilLogging.bootstrap(format: logFormat, level: logLevel)
        let source = ConfigurationSource(configPath: config, manifestDirs: manifests.isEmpty ? nil : manifests, builtins: Builtins.current())
        let configuration: LoadedConfiguration
        do {
            configuration = try source.load()
        } catch {
            for problem in error.errors { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            printError("configuration invalid (\(error.errors.count) error(s)); nothing started. Fix the files, or run `vigil check` to see the errors again.")
            throw ExitCode(1)
        }
        let settings = configuration.supervisor
        let lock: StateDirectoryLock
        let resources: SupervisorResources
        do {
            try FileManager.default.createDirectory(atPath: settings.logsDir, withIntermediateDirectories: true)
            lock = try StateDirectoryLock(stateDir: settings.stateDir)
            resources = try SupervisorResources(
                stateDir: settings.stateDir, logsDir: settings.logsDir, databasePath: settings.databasePath,
                vigilBinary: Builtins.executablePath(), controlSocket: settings.control.socket
            )
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        EventLogging.forward(resources.events)
        // Before anything makes a swift-metrics handle (probes, the router), so every metric lands in /metrics.
        let metrics = settings.metrics.map { MetricsEndpoint.bootstrap(listen: $0.listen, events: resources.events) }
        let supervisor = Supervisor(configuration: configuration, resources: resources, makeService: DeployedService.factory)
        // READY/STATUS/RELOADING/STOPPING and the watchdog; no-ops unless systemd started Vigil.
        let systemd = SystemdNotifications(supervisor: supervisor)
        let hangTrigger = DebugHangSignal.install(supervisor: supervisor)
        // Disk reclaim beside the supervisor, on its own queue; it follows every applied reload.
        let reclaimer = DiskReclaimer(configuration: configuration, events: resources.events, releases: RolloutReleaseUsage(store: RolloutStore(store: resources.store)))
        let service = SupervisorService(
            supervisor: supervisor, source: source,
            onStarted: {
                print("""
                vigil \(VigilVersion.current): supervising \(configuration.services.count) service(s) from \(settings.manifestDirs.joined(separator: ", "))
                  status:  vigil status        (control socket \(settings.control.socket))
                  events:  vigil events        logs: vigil logs SERVICE -f  (files in \(settings.logsDir))
                  state:   \(settings.databasePath)\(settings.metrics.map { "\n  metrics: curl http://\($0.listen)/metrics" } ?? "")
                  reload:  vigil reload  or  kill -HUP \(getpid());  stop: Ctrl-C or SIGTERM
                """)
                fflush(stdout)
                await systemd.started()
            },
            onStopping: { await systemd.stopping() }
        )
        // Every reload (SIGHUP, `vigil reload`, the control API) logs its errors and is framed
        // by RELOADING=1/READY=1 for systemd.
        await supervisor.observeReloads(ReloadObserver(
            willReload: { await systemd.reloading() },
            didReload: { outcome in
                switch outcome {
                case .rejected(let errors):
                    let logger = Logger(label: "vigil.reload")
                    for problem in errors.errors { logger.error("\(problem)") }
                case .applied:
                    reclaimer.update(await supervisor.configuration)
                }
                await systemd.reloaded(outcome)
            }
        ))
        do {
            let app = try ControlServer(supervisor: supervisor, source: source)
                .reclaiming(with: reclaimer)
                .makeApplication(
                    socketPath: settings.control.socket, listen: settings.control.listen,
                    services: [service, ReclaimService(reclaimer: reclaimer, events: resources.events)]
                        + (metrics.map { [$0.server(version: VigilVersion.current, supervisor: supervisor)] } ?? []),
                    onRunning: {}
                )
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            await systemd.close()
            printError("\(error)")
            throw ExitCode(1)
        }
        await systemd.close()
        withExtendedLifetime((lock, hangTrigger)) {}
    }
}

/// An exclusive lock on `stateDir/vigil.lock`, held while Vigil runs: a second `vigil up` on the
/// same state would start every service twice, so it is refused with a clear message.
final class StateDirectoryLock {
    private let fd: Int32

    init(stateDir: String) throws {
        let path = stateDir + "/vigil.lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ValidationError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw ValidationError("another Vigil is already running with state dir \(stateDir) (\(path) is locked); stop it first or use another stateDir")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit { close(fd) }
}
