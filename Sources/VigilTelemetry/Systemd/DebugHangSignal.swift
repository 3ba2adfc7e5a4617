import Dispatch
import Foundation
import Logging
import VigilSupervisor

/// A test and chaos aid: makes Vigil hang on purpose so the systemd watchdog can be seen to
/// restart it. Never set in production.
///
/// With `VIGIL_DEBUG_HANG_SIGNAL=SIGUSR2` (or `SIGUSR1`) in `vigil up`'s environment, the first
/// such signal blocks the ``Supervisor`` actor's executor thread: commands, reloads and status
/// stop answering, exactly like a deadlock, and the watchdog stops pinging. The next signal
/// releases it. Under systemd (`WatchdogSec=`), a hang that outlasts `WatchdogSec` ends with
/// SIGABRT and a restart:
///
/// ```sh
/// systemctl set-environment VIGIL_DEBUG_HANG_SIGNAL=SIGUSR2   # or Environment= in a drop-in
/// systemctl restart vigil && systemctl kill -s SIGUSR2 --kill-whom=main vigil
/// ```
public final class DebugHangSignal: @unchecked Sendable {
    public static let environmentVariable = "VIGIL_DEBUG_HANG_SIGNAL"

    private let supervisor: Supervisor
    private let signalName: String
    private let logger: Logger
    private let queue = DispatchQueue(label: "vigil.debug-hang")
    private var source: DispatchSourceSignal?
    /// Set while the actor is blocked; signalling it releases the actor.
    private var release: DispatchSemaphore?

    /// Installs the trigger when the variable is set; nil (and nothing installed) when it is not.
    /// A value other than SIGUSR1/SIGUSR2 is logged as an error and ignored.
    public static func install(
        supervisor: Supervisor, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "vigil.debug")
    ) -> DebugHangSignal? {
        guard let value = environment[environmentVariable], !value.isEmpty else { return nil }
        guard let number = signalNumber(value) else {
            logger.error("\(environmentVariable)=\(value) is not understood; use SIGUSR1 or SIGUSR2 (other signals already mean something to Vigil). No hang trigger installed.")
            return nil
        }
        let trigger = DebugHangSignal(supervisor: supervisor, signal: number, name: value, logger: logger)
        logger.warning("debug hang trigger armed: signal \(value) blocks the supervisor actor, the next one releases it (\(environmentVariable))")
        return trigger
    }

    /// SIGUSR1 or SIGUSR2, spelled with or without the SIG prefix; nil for anything else.
    static func signalNumber(_ name: String) -> Int32? {
        switch name.uppercased().replacingOccurrences(of: "SIG", with: "") {
        case "USR1": SIGUSR1
        case "USR2": SIGUSR2
        default: nil
        }
    }

    private init(supervisor: Supervisor, signal number: Int32, name: String, logger: Logger) {
        self.supervisor = supervisor
        self.signalName = name
        self.logger = logger
        // Ignored as a disposition so the default action (terminate) never runs; the dispatch
        // source still sees every delivery.
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler { [unowned self] in toggle() }
        source.resume()
        self.source = source
    }

    deinit {
        source?.cancel()
        release?.signal()
    }

    /// Runs on `queue`, one signal at a time.
    private func toggle() {
        if let release {
            self.release = nil
            logger.warning("debug hang: \(signalName) received again; releasing the supervisor actor")
            release.signal()
            return
        }
        let semaphore = DispatchSemaphore(value: 0)
        release = semaphore
        let supervisor = self.supervisor, logger = self.logger, signalName = self.signalName
        Task {
            await supervisor.blockExecutorForDebugging(until: semaphore) {
                logger.warning("debug hang: supervisor actor blocked on purpose until the next \(signalName); the watchdog stops pinging")
            }
        }
    }
}
