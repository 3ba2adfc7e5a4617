import CCurl
import Foundation

/// One thread driving libcurl's multi interface for every HTTP and TCP probe in the process.
///
/// Probes run 100–500 times a second in production, so they must not cost a thread each or block
/// Swift's cooperative pool. Callers suspend on a continuation; ``get(url:headers:timeout:unixSocketPath:)``
/// and ``connect(host:port:timeout:)`` may be called from any thread or task. The request goes on a
/// lock-protected queue and `curl_multi_wakeup` nudges the curl thread, which adds it to the multi
/// handle, waits in `curl_multi_poll` and resumes the continuation when libcurl reports it done.
///
/// Promises:
/// - every call returns within its `timeout` (plus scheduling delay) and never throws;
/// - keep-alive connections to the same host and port are reused, as are easy handles;
/// - at most ``Configuration/maxBodyBytes`` of a body are read, so a chatty endpoint cannot
///   balloon memory.
///
/// Call ``shutdown()`` when done: it stops the thread (which holds a reference to the client) and
/// fails anything still in flight.
public final class CurlMulti: @unchecked Sendable {
    /// Tunables, with defaults fit for health probes.
    public struct Configuration: Sendable {
        /// Bytes of a response body kept; the transfer stops once they are read.
        public var maxBodyBytes: Int
        /// Finished easy handles kept for reuse; more are freed.
        public var maxIdleHandles: Int
        /// The `User-Agent` header sent with every GET.
        public var userAgent: String

        public init(maxBodyBytes: Int = 64 * 1024, maxIdleHandles: Int = 64, userAgent: String = "vigil-probe") {
            self.maxBodyBytes = maxBodyBytes
            self.maxIdleHandles = maxIdleHandles
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    /// Requests handed over by callers, not yet seen by the curl thread. Guarded by `lock`.
    private var submitted: [CurlTransfer] = []
    /// Set once by `shutdown`. Guarded by `lock`.
    private var stopping = false
    /// Signalled by the curl thread when it has released everything.
    private let stopped = DispatchSemaphore(value: 0)
    /// Transfers added to the multi handle, keyed by their easy handle. Curl thread only.
    private var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    /// Reset easy handles ready for the next GET. Curl thread only.
    private var idle: [UnsafeMutableRawPointer] = []

    /// Starts the curl thread.
    ///
    /// - Throws: ``CurlError`` when libcurl cannot initialise (out of memory or a broken install).
    public init(configuration: Configuration = .init()) throws {
        try CurlGlobal.initialize()
        guard let multi = curl_multi_init() else {
            throw CurlError("libcurl could not create a multi handle (out of memory?)")
        }
        self.multi = multi
        self.configuration = configuration
        let thread = Thread { [self] in run() }
        thread.name = "vigil-curl"
        thread.start()
    }

    /// GETs `url` and returns the status and body, or why no answer arrived.
    ///
    /// Redirects are not followed (a 3xx is an answer) and TLS certificates are not verified, as
    /// Kubernetes does for HTTPS probes. With `unixSocketPath` the request goes over that socket.
    public func get(url: String, headers: [String: String] = [:], timeout: Duration, unixSocketPath: String? = nil) async -> HTTPOutcome {
        await withCheckedContinuation { continuation in
            submit(CurlTransfer(request: .get(url: url, headers: headers, unixSocketPath: unixSocketPath),
                                timeout: timeout, waiter: .http(continuation), maxBodyBytes: configuration.maxBodyBytes))
        }
    }

    /// Opens a fresh TCP connection to `host:port` and closes it again.
    public func connect(host: String, port: UInt16, timeout: Duration) async -> TCPOutcome {
        await withCheckedContinuation { continuation in
            submit(CurlTransfer(request: .connect(host: host, port: port),
                                timeout: timeout, waiter: .tcp(continuation), maxBodyBytes: 0))
        }
    }

    /// Stops the curl thread, failing requests still in flight. Idempotent; later calls to
    /// `get`/`connect` fail at once.
    public func shutdown() {
        let first = lock.withLock { () -> Bool in
            if stopping { return false }
            stopping = true
            curl_multi_wakeup(multi)
            return true
        }
        if first { stopped.wait() }
    }

    private func submit(_ transfer: CurlTransfer) {
        let accepted = lock.withLock { () -> Bool in
            if stopping { return false }
            submitted.append(transfer)
            // Under the lock so the thread cannot free the multi handle in between.
            curl_multi_wakeup(multi)
            return true
        }
        if !accepted { transfer.fail("probe client is shut down") }
    }

    // MARK: - The curl thread

    private func run() {
        var stillRunning: Int32 = 0
        while true {
            let (batch, stop) = lock.withLock { () -> ([CurlTransfer], Bool) in
                defer { submitted.removeAll(keepingCapacity: true) }
                return (submitted, stopping)
            }
            if stop {
                batch.forEach { $0.fail("vigil is shutting down") }
                break
            }
            batch.forEach(start)
            curl_multi_perform(multi, &stillRunning)
            collectFinished()
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        tearDown()
    }

    private func start(_ transfer: CurlTransfer) {
        guard let easy = makeEasy(for: transfer) else {
            transfer.fail("libcurl could not create a request handle (out of memory?)")
            return
        }
        let added = curl_multi_add_handle(multi, easy)
        guard added == CURLM_OK else {
            transfer.fail(String(cString: curl_multi_strerror(added)).lowercased())
            curl_easy_cleanup(easy)
            return
        }
        running[easy] = transfer
    }

    private func makeEasy(for transfer: CurlTransfer) -> UnsafeMutableRawPointer? {
        switch transfer.request {
        case .get:
            guard let easy = idle.popLast() ?? curl_easy_init() else { return nil }
            CurlOptions.configureGet(easy, transfer, userAgent: configuration.userAgent)
            return easy
        case .connect:
            guard let easy = curl_easy_init() else { return nil }
            CurlOptions.configureConnect(easy, transfer)
            return easy
        }
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var status = 0
            var osErrno = 0
            vigil_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            vigil_curl_easy_getinfo_long(easy, CURLINFO_OS_ERRNO, &osErrno)
            curl_multi_remove_handle(multi, easy)
            let transfer = running.removeValue(forKey: easy)
            recycle(easy, connectOnly: transfer.map { if case .connect = $0.request { true } else { false } } ?? true)
            transfer?.finish(code: code, status: status, osErrno: osErrno)
        }
    }

    /// Keeps a GET handle for reuse; a connect-only handle is freed, which closes its socket.
    private func recycle(_ easy: UnsafeMutableRawPointer, connectOnly: Bool) {
        if connectOnly || idle.count >= configuration.maxIdleHandles {
            curl_easy_cleanup(easy)
        } else {
            curl_easy_reset(easy)
            idle.append(easy)
        }
    }

    private func tearDown() {
        for (easy, transfer) in running {
            curl_multi_remove_handle(multi, easy)
            curl_easy_cleanup(easy)
            transfer.fail("vigil is shutting down")
        }
        running.removeAll()
        idle.forEach { curl_easy_cleanup($0) }
        idle.removeAll()
        let late = lock.withLock { () -> [CurlTransfer] in
            defer { submitted.removeAll() }
            return submitted
        }
        late.forEach { $0.fail("vigil is shutting down") }
        curl_multi_cleanup(multi)
        stopped.signal()
    }
}
