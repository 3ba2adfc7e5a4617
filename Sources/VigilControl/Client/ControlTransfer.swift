import CCurl
import Foundation
import VigilSupervisor

/// One blocking libcurl request to the control API, made on the calling thread.
///
/// It collects the body (``ControlClient/send(_:_:body:timeout:)``) or hands each chunk to a
/// callback as it arrives (``ControlClient/stream(_:_:body:onData:)``). Error bodies (status 400
/// and up) are always collected so their JSON can be reported.
final class ControlTransfer {
    private(set) var body: [UInt8] = []
    private let onData: (([UInt8]) -> Bool)?
    private(set) var abortedByReceiver = false
    private var easy: UnsafeMutableRawPointer?

    init(onData: (([UInt8]) -> Bool)?) {
        self.onData = onData
    }

    /// Runs the request; returns the HTTP status or throws a worded error.
    func perform(endpoint: ControlEndpoint, token: String?, method: String, path: String, body requestBody: [UInt8]?, timeout: Duration?) throws(ControlClientError) -> Int {
        do {
            try CurlGlobal.initialize()
        } catch {
            throw ControlClientError(kind: .transport, message: "\(error)")
        }
        guard let easy = curl_easy_init() else {
            throw ControlClientError(kind: .transport, message: "libcurl could not create a request handle (out of memory?)")
        }
        self.easy = easy
        defer {
            curl_easy_cleanup(easy)
            self.easy = nil
        }
        var headers: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headers) }
        headers = curl_slist_append(headers, "Accept: application/json")
        headers = curl_slist_append(headers, "Expect:")
        if let token { headers = curl_slist_append(headers, "Authorization: Bearer \(token)") }

        vigil_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        vigil_curl_easy_setopt_string(easy, CURLOPT_URL, endpoint.requestURL(path))
        vigil_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, 10_000)
        if let timeout { vigil_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout)) }
        switch endpoint {
        case .unixSocket(let socketPath):
            vigil_curl_easy_setopt_string(easy, CURLOPT_UNIX_SOCKET_PATH, socketPath)
            vigil_curl_easy_setopt_string(easy, CURLOPT_PROXY, "")
        case .url:
            // A remote Vigil may sit behind the user's proxy; a local one never does.
            vigil_curl_easy_setopt_string(easy, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1")
        }
        if method == "GET" {
            vigil_curl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        } else {
            vigil_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method)
        }
        if requestBody != nil || method == "POST" || method == "PUT" {
            let bytes = requestBody ?? []
            if requestBody != nil { headers = curl_slist_append(headers, "Content-Type: application/json") }
            vigil_curl_easy_setopt_long(easy, CURLOPT_POSTFIELDSIZE, bytes.count)
            if bytes.isEmpty {
                vigil_curl_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                // COPYPOSTFIELDS copies, so the buffer need not outlive this closure.
                _ = bytes.withUnsafeBytes { raw in
                    vigil_curl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
                }
            }
        }
        vigil_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headers)
        vigil_curl_easy_setopt_write_function(easy, CURLOPT_WRITEFUNCTION, controlTransferWrite)
        vigil_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque())

        let code = curl_easy_perform(easy)
        var status = 0
        var osErrno = 0
        vigil_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        vigil_curl_easy_getinfo_long(easy, CURLINFO_OS_ERRNO, &osErrno)
        if code == CURLE_OK || (code == CURLE_WRITE_ERROR && abortedByReceiver) { return status }
        throw Self.error(code: code, osErrno: osErrno, endpoint: endpoint, method: method, path: path, timeout: timeout)
    }

    /// Takes one chunk of the body; returning less than its size makes libcurl stop.
    func receive(_ chunk: UnsafeRawBufferPointer) -> Int {
        var status = 0
        if let easy { vigil_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status) }
        guard let onData, status < 400 else {
            body.append(contentsOf: chunk)
            return chunk.count
        }
        if onData(Array(chunk)) { return chunk.count }
        abortedByReceiver = true
        return 0
    }

    private static func error(code: CURLcode, osErrno: Int, endpoint: ControlEndpoint, method: String, path: String, timeout: Duration?) -> ControlClientError {
        let reason = osErrno != 0 ? String(cString: strerror(Int32(osErrno))) : String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST:
            return ControlClientError(kind: .unreachable, message: "cannot reach Vigil at \(endpoint): \(reason) — is `vigil up` running? (or pass --control)")
        case CURLE_OPERATION_TIMEDOUT:
            let limit = timeout.map { " within \($0)" } ?? ""
            return ControlClientError(kind: .timedOut, message: "Vigil at \(endpoint) did not answer \(method) \(path)\(limit); it may be overloaded or stuck — check its log")
        default:
            return ControlClientError(kind: .transport, message: "\(method) \(path) to Vigil at \(endpoint) failed: \(reason)")
        }
    }

    private static func milliseconds(_ d: Duration) -> Int {
        let (s, atto) = d.components
        return max(1, Int(clamping: s * 1000 + atto / 1_000_000_000_000_000))
    }
}

/// libcurl's write callback: hands each chunk to the ``ControlTransfer`` in `userdata`.
private let controlTransferWrite: vigil_curl_write_callback = { ptr, size, count, userdata in
    guard let ptr, let userdata else { return 0 }
    let transfer = Unmanaged<ControlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.receive(UnsafeRawBufferPointer(start: ptr, count: size * count))
}
