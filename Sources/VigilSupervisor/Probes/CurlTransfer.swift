import CCurl
import Foundation

/// One request in flight on the ``CurlMulti`` thread: what to fetch, the body collected so far,
/// and the continuation to resume when libcurl reports the transfer done.
///
/// Only the curl thread touches a transfer once it is submitted, so it needs no lock.
final class CurlTransfer {
    enum Request {
        case get(url: String, headers: [String: String], unixSocketPath: String?)
        case connect(host: String, port: UInt16)
    }

    enum Waiter {
        case http(CheckedContinuation<HTTPOutcome, Never>)
        case tcp(CheckedContinuation<TCPOutcome, Never>)
    }

    let request: Request
    let timeout: Duration
    private let waiter: Waiter
    private let maxBodyBytes: Int
    private var body: [UInt8] = []
    /// Set when the body reached `maxBodyBytes` and the transfer was cut short on purpose.
    private(set) var bodyCapped = false
    /// The request headers as a libcurl list; freed in `finish`.
    var headerList: UnsafeMutablePointer<curl_slist>?

    init(request: Request, timeout: Duration, waiter: Waiter, maxBodyBytes: Int) {
        self.request = request
        self.timeout = timeout
        self.waiter = waiter
        self.maxBodyBytes = maxBodyBytes
    }

    /// The host name, for "cannot resolve host" messages.
    var host: String {
        switch request {
        case .get(let url, _, _): return URL(string: url)?.host ?? url
        case .connect(let host, _): return host
        }
    }

    /// Keeps up to `maxBodyBytes`; returning less than `count` tells libcurl to stop the transfer.
    func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let room = maxBodyBytes - body.count
        if bytes.count <= room {
            body.append(contentsOf: bytes)
            return bytes.count
        }
        body.append(contentsOf: bytes.prefix(room))
        bodyCapped = true
        return 0
    }

    /// Resumes the waiting task with the outcome of a finished transfer.
    func finish(code: CURLcode, status: Int, osErrno: Int) {
        freeHeaders()
        let ok = code == CURLE_OK || (code == CURLE_WRITE_ERROR && bodyCapped)
        switch waiter {
        case .http(let c):
            if ok {
                c.resume(returning: .response(status: status, body: body))
            } else {
                c.resume(returning: .failure(CurlFailureText.describe(code: code, osErrno: osErrno, timeout: timeout, host: host)))
            }
        case .tcp(let c):
            if ok {
                c.resume(returning: .connected)
            } else {
                c.resume(returning: .failure(CurlFailureText.describe(code: code, osErrno: osErrno, timeout: timeout, host: host)))
            }
        }
    }

    /// Resumes the waiting task with a failure that did not come from libcurl (shutdown, setup).
    func fail(_ reason: String) {
        freeHeaders()
        switch waiter {
        case .http(let c): c.resume(returning: .failure(reason))
        case .tcp(let c): c.resume(returning: .failure(reason))
        }
    }

    private func freeHeaders() {
        if let list = headerList { curl_slist_free_all(list) }
        headerList = nil
    }
}

/// libcurl's write callback: hands each chunk of the body to the transfer in `userdata`.
let curlTransferWrite: vigil_curl_write_callback = { ptr, size, count, userdata in
    guard let ptr, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    return transfer.append(UnsafeRawBufferPointer(start: ptr, count: size * count))
}
