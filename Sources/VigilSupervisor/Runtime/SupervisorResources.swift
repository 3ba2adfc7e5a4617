import Dispatch

/// The machinery every instance shares: one exit-watcher thread, one log-capture thread, one
/// libcurl thread for probes, the event log and the state store.
///
/// Created once by ``Supervisor`` and handed to each ``InstanceRunner``; none of it is per service,
/// which is what keeps 500 supervised services at a handful of threads.
public final class SupervisorResources: @unchecked Sendable {
    public let exits: ExitWatcher
    public let logs: LogCapture
    public let curl: CurlMulti
    public let store: StateStore
    public let events: EventLog
    public let stateDir: String
    public let logsDir: String
    /// Absolute path of the running `vigil` binary, exported as `${VIGIL_BIN}`.
    public let vigilBinary: String
    /// Exported to services as `VIGIL_CONTROL` so they can ask Vigil about itself.
    public let controlSocket: String
    /// Where instance cgroups go, or why there are none (memory is then sampled from /proc).
    public let cgroups: Result<CgroupLayout, CgroupUnavailable>
    /// Watches the memory of every instance with a limit.
    public let memory: MemoryGuard
    /// Instance records are written here, in order, so spawning never waits for SQLite.
    private let instanceWrites = DispatchQueue(label: "vigil.instance-records")

    public init(stateDir: String, logsDir: String, databasePath: String, vigilBinary: String, controlSocket: String) throws {
        self.stateDir = stateDir
        self.logsDir = logsDir
        self.vigilBinary = vigilBinary
        self.controlSocket = controlSocket
        self.store = try StateStore(path: databasePath)
        self.events = EventLog(store: store)
        self.exits = try ExitWatcher()
        self.logs = try LogCapture()
        self.curl = try CurlMulti()
        self.cgroups = CgroupSetup.prepare(stateDir: stateDir)
        self.memory = MemoryGuard()
    }

    /// How memory limits are enforced, for `vigil status` and the start-up log:
    /// "cgroup v1", "cgroup v2", or "sampled, no cgroup (REASON)".
    public var memoryEnforcement: String {
        switch cgroups {
        case .success(let layout): layout.version.rawValue
        case .failure(let reason): "sampled, no cgroup (\(reason))"
        }
    }

    /// Records a spawned process (pid and start time) so a later Vigil can find it if this one
    /// dies without stopping it. Asynchronous, in call order.
    func recordInstance(_ record: InstanceRecord) {
        instanceWrites.async { [store] in try? store.upsertInstance(record) }
    }

    /// Forgets an instance whose process is gone. Asynchronous, in call order.
    func forgetInstance(service: String, color: String) {
        instanceWrites.async { [store] in try? store.removeInstance(service: service, color: color) }
    }

    /// Waits until every instance record asked for so far is written.
    public func flushInstanceRecords() {
        instanceWrites.sync {}
    }

    /// Stops the shared threads and writes out pending events; call after every instance stopped.
    public func shutdown() {
        flushInstanceRecords()
        events.flush()
        curl.shutdown()
        logs.shutdown()
        // A clean stop leaves no aside file; what is not compressed by then is taken over
        // (within the bound) by the next start.
        LogCompressor.shared.waitUntilIdle(timeout: .seconds(20))
        exits.shutdown()
        events.close()
    }
}
