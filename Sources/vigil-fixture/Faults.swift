import Glibc

/// The faults the fixture is currently showing, shared by every connection thread.
///
/// Flags set the starting state; admin endpoints change it, and a change applies to every
/// later request on every connection. Times are monotonic milliseconds, so a fault "from
/// N ms after start" needs no timer thread: each request compares the clock.
final class Faults: @unchecked Sendable {
    private let lock = Mutex()
    /// /health fails from this instant on; nil: never.
    private var healthFailsFrom: Int?
    /// /ready passes from this instant on; nil: never.
    private var readyFrom: Int?
    private var latencyMs: Int
    /// Error rate in parts per million, so "every k-th request" stays exact in integers.
    private var errorPPM: Int
    private var rootRequests = 0
    /// `GET /` requests received and not yet answered (held by latency), for `/admin/inflight`.
    private var rootInFlight = 0
    /// Nothing is answered before this instant (`/admin/hang`).
    private var hungUntil = 0
    /// Memory kept alive on purpose (`--grow-memory`, `/admin/memory`).
    private var ballast: [UnsafeMutableRawPointer] = []
    private var ballastBytes = 0

    init(_ args: Arguments, startedAt: Int) {
        if args.failHealth {
            healthFailsFrom = 0
        } else if let after = args.failHealthAfterMs {
            healthFailsFrom = startedAt + after
        }
        if args.notReady {
            readyFrom = nil
        } else {
            readyFrom = startedAt + (args.readyAfterMs ?? 0)
        }
        latencyMs = args.latencyMs
        errorPPM = Faults.ppm(args.errorRate)
    }

    var isHealthy: Bool {
        let now = monotonicMs()
        return lock.withLock { healthFailsFrom.map { now < $0 } ?? true }
    }

    var isReady: Bool {
        let now = monotonicMs()
        return lock.withLock { readyFrom.map { now >= $0 } ?? false }
    }

    func setHealth(failing: Bool) {
        lock.withLock { healthFailsFrom = failing ? 0 : nil }
    }

    func setReady(_ ready: Bool) {
        lock.withLock { readyFrom = ready ? 0 : nil }
    }

    func setLatency(ms: Int) {
        lock.withLock { latencyMs = ms }
    }

    /// Sets the error rate and starts counting afresh, so the next 100 requests at 0.2 hold
    /// exactly 20 errors.
    func setErrorRate(_ rate: Double) {
        lock.withLock {
            errorPPM = Faults.ppm(rate)
            rootRequests = 0
        }
    }

    /// Counts one `GET /` and says how to answer it: after what delay, and whether with a 500.
    ///
    /// Request n fails when `floor(n * rate)` steps up, which spreads failures evenly: at 0.2
    /// every fifth request fails, at 0.5 every second.
    func nextRootRequest() -> (delayMs: Int, fail: Bool) {
        lock.withLock {
            rootRequests += 1
            let n = rootRequests
            let fail = n * errorPPM / 1_000_000 > (n - 1) * errorPPM / 1_000_000
            return (latencyMs, fail)
        }
    }

    /// Brackets the answering of one `GET /`, so `/admin/inflight` can tell a test that a
    /// request it sent is being held here (instead of the test sleeping and hoping).
    func answeringRootRequest<T>(_ body: () -> T) -> T {
        lock.withLock { rootInFlight += 1 }
        defer { lock.withLock { rootInFlight -= 1 } }
        return body()
    }

    var rootRequestsInFlight: Int { lock.withLock { rootInFlight } }

    /// Makes every request, on every connection, wait until `ms` from now.
    func hang(ms: Int) {
        let until = monotonicMs() + ms
        lock.withLock { hungUntil = max(hungUntil, until) }
    }

    /// Blocks the caller while a hang is in force.
    func waitWhileHung() {
        while true {
            let remaining = lock.withLock { hungUntil } - monotonicMs()
            if remaining <= 0 { return }
            sleepMs(min(remaining, 100))
        }
    }

    /// Allocates `bytes` and writes to every page, so it counts as resident memory; it is
    /// never freed. Returns the bytes held this way so far.
    @discardableResult
    func allocate(bytes: Int) -> Int {
        guard bytes > 0, let block = malloc(bytes) else { return lock.withLock { ballastBytes } }
        memset(block, 0xA5, bytes)
        return lock.withLock {
            ballast.append(block)
            ballastBytes += bytes
            return ballastBytes
        }
    }

    private static func ppm(_ rate: Double) -> Int {
        Int((min(max(rate, 0), 1) * 1_000_000).rounded())
    }
}
