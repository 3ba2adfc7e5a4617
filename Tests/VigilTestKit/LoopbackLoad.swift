import Foundation

/// A bounded HTTP load on a loopback address, for tests that promise "zero failed requests"
/// across switches, rollbacks and drains.
///
/// `connections` threads each keep one HTTP/1.1 connection alive and send `GET path` back to
/// back, reconnecting after a `Connection: close` answer. The count is strict: a connection the
/// server drops while a request is on it — even an idle keep-alive one just reused — is a
/// failed request, as wrk counts it. The load stops at `stop()`, after `maxDuration`, or after
/// `maxRequests` in total, whichever comes first — it can never run away.
///
/// A request counts as failed when the connection is refused or reset, times out, or answers
/// anything but 2xx. The JSON `color` and `version` fields of answers (what `vigil-fixture`'s
/// `GET /` reports) are tallied, so a test can tell which color served how much.
///
/// ```swift
/// let load = LoopbackLoad(port: 8080, connections: 8)
/// load.start()
/// ... deploy ...
/// let result = load.stop()
/// XCTAssertEqual(result.failed, 0, result.failureSummary)
/// ```
public final class LoopbackLoad: @unchecked Sendable {
    public struct Result: Sendable {
        public var succeeded = 0
        public var failed = 0
        /// The first few failures, as text, for assertion messages.
        public var failures: [String] = []
        public var byColor: [String: Int] = [:]
        public var byVersion: [String: Int] = [:]
        public var byStatus: [Int: Int] = [:]
        public var total: Int { succeeded + failed }
        public var failureSummary: String {
            "\(failed) of \(total) requests failed; statuses \(byStatus); first failures: \(failures.prefix(5).joined(separator: " | "))"
        }
    }

    public let port: UInt16
    public let path: String
    public let connections: Int
    public let maxDuration: Duration
    public let maxRequests: Int
    private let lock = NSLock()
    private var result = Result()
    private var stopping = false
    private var issued = 0
    private var threads: [Thread] = []
    private let finished = DispatchGroup()

    public init(port: UInt16, path: String = "/", connections: Int = 8, maxDuration: Duration = .seconds(120), maxRequests: Int = 2_000_000) {
        self.port = port
        self.path = path
        self.connections = connections
        self.maxDuration = maxDuration
        self.maxRequests = maxRequests
    }

    public func start() {
        let deadline = ContinuousClock.now + maxDuration
        for index in 0..<connections {
            finished.enter()
            let thread = Thread { [self] in
                run(deadline: deadline)
                finished.leave()
            }
            thread.name = "loopback-load-\(index)"
            threads.append(thread)
            thread.start()
        }
    }

    /// A copy of the counts so far, while the load keeps running.
    public var snapshot: Result {
        lock.lock(); defer { lock.unlock() }
        return result
    }

    /// Stops the load, waits for every connection's last request, and returns the totals.
    /// With `waitingForBudget`, lets it run until `maxRequests` or `maxDuration` first.
    @discardableResult
    public func stop(waitingForBudget: Bool = false) -> Result {
        if !waitingForBudget { lock.lock(); stopping = true; lock.unlock() }
        finished.wait()
        return snapshot
    }

    /// Resets the counts (e.g. after a warm-up) without stopping.
    public func resetCounts() {
        lock.lock(); result = Result(); lock.unlock()
    }

    private func mayIssue(before deadline: ContinuousClock.Instant) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard !stopping, issued < maxRequests, ContinuousClock.now < deadline else { return false }
        issued += 1
        return true
    }

    private func run(deadline: ContinuousClock.Instant) {
        var connection: HTTPTestConnection?
        while mayIssue(before: deadline) {
            do {
                if connection == nil { connection = try HTTPTestConnection(port: port, timeout: .seconds(15)) }
                let response = try connection!.request(path: path)
                record(response)
                if response.headers["connection"]?.lowercased() == "close" { connection = nil }
            } catch {
                connection = nil
                recordFailure("\(error)")
            }
        }
    }

    private func record(_ response: HTTPTestResponse) {
        let fields = (try? JSONSerialization.jsonObject(with: Data(response.body.utf8))) as? [String: Any]
        lock.lock(); defer { lock.unlock() }
        result.byStatus[response.status, default: 0] += 1
        if (200..<300).contains(response.status) {
            result.succeeded += 1
            if let color = fields?["color"] as? String { result.byColor[color, default: 0] += 1 }
            if let version = fields?["version"] as? String { result.byVersion[version, default: 0] += 1 }
        } else {
            result.failed += 1
            if result.failures.count < 20 { result.failures.append("HTTP \(response.status): \(response.body.prefix(120))") }
        }
    }

    private func recordFailure(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        result.failed += 1
        if result.failures.count < 20 { result.failures.append(text) }
    }
}
