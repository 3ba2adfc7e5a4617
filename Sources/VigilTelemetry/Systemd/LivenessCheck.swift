import Foundation
import VigilSupervisor

/// Whether Vigil's own loops still take work, answered within a deadline: what the systemd
/// watchdog asks before each ping.
///
/// The probe is a round trip through the loops that keep services alive: the ``Supervisor``
/// actor (every command, reload and status goes through it) and the exit-watcher thread (every
/// crash is noticed there). A hung loop never answers, so the probe never completes, no ping is
/// sent, and systemd restarts Vigil after `WatchdogSec`.
///
/// At most one probe is out at a time: while one is unanswered, later checks wait for that same
/// probe instead of piling up new ones behind the hang.
public final class LivenessCheck: @unchecked Sendable {
    private let probe: @Sendable () async -> Void
    private let lock = NSLock()
    private var outstanding: ProbeAnswer?

    /// A check that runs `probe`; it is live when `probe` returns.
    public init(probe: @escaping @Sendable () async -> Void) {
        self.probe = probe
    }

    /// The round trips the watchdog needs: the supervisor actor, then the exit watcher's thread.
    public convenience init(supervisor: Supervisor) {
        self.init {
            await supervisor.heartbeat()
            await supervisor.resources.exits.roundTrip()
        }
    }

    /// True when the probe (a fresh one, or the one still out from an earlier check) completed
    /// within `deadline`.
    public func confirm(within deadline: Duration) async -> Bool {
        let answer = lock.withLock { () -> ProbeAnswer in
            if let outstanding, !outstanding.isComplete { return outstanding }
            let fresh = ProbeAnswer()
            outstanding = fresh
            Task { [probe] in
                await probe()
                fresh.complete()
            }
            return fresh
        }
        return await answer.wait(upTo: deadline)
    }
}

/// The completion of one probe, awaited with a deadline by any number of checks.
private final class ProbeAnswer: @unchecked Sendable {
    private let lock = NSLock()
    private var completed = false
    private var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    private var nextWaiter = 0

    var isComplete: Bool { lock.withLock { completed } }

    func complete() {
        let resumed = lock.withLock {
            completed = true
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        resumed.forEach { $0.resume(returning: true) }
    }

    /// True once complete; false if `deadline` passes first. Each waiter is resumed exactly once:
    /// whoever removes it from `waiters` (completion or its timer) resumes it.
    func wait(upTo deadline: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            let id: Int? = lock.withLock {
                if completed { return nil }
                nextWaiter += 1
                waiters[nextWaiter] = continuation
                return nextWaiter
            }
            guard let id else { return continuation.resume(returning: true) }
            Task {
                try? await Task.sleep(for: deadline)
                lock.withLock { waiters.removeValue(forKey: id) }?.resume(returning: false)
            }
        }
    }
}
