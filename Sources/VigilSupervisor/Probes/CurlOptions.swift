import CCurl

/// The libcurl options ``CurlMulti`` sets on an easy handle for each kind of request.
enum CurlOptions {
    /// A plain GET: no redirects, no certificate checks (as Kubernetes probes), body to the transfer.
    static func configureGet(_ easy: UnsafeMutableRawPointer, _ transfer: CurlTransfer, userAgent: String) {
        guard case .get(let url, let headers, let unixSocketPath) = transfer.request else { return }
        common(easy, transfer)
        vigil_curl_easy_setopt_string(easy, CURLOPT_URL, url)
        vigil_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        vigil_curl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        vigil_curl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        vigil_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0)
        vigil_curl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0)
        vigil_curl_easy_setopt_string(easy, CURLOPT_USERAGENT, userAgent)
        vigil_curl_easy_setopt_write_function(easy, CURLOPT_WRITEFUNCTION, curlTransferWrite)
        vigil_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, Unmanaged.passUnretained(transfer).toOpaque())
        if let unixSocketPath {
            vigil_curl_easy_setopt_string(easy, CURLOPT_UNIX_SOCKET_PATH, unixSocketPath)
        }
        if !headers.isEmpty {
            var list: UnsafeMutablePointer<curl_slist>?
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
                list = curl_slist_append(list, "\(name): \(value)")
            }
            transfer.headerList = list
            vigil_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
        }
    }

    /// A TCP connect on a fresh socket that is never handed to the connection pool.
    static func configureConnect(_ easy: UnsafeMutableRawPointer, _ transfer: CurlTransfer) {
        guard case .connect(let host, let port) = transfer.request else { return }
        common(easy, transfer)
        let bracketed = host.contains(":") ? "[\(host)]" : host
        vigil_curl_easy_setopt_string(easy, CURLOPT_URL, "http://\(bracketed):\(port)/")
        vigil_curl_easy_setopt_long(easy, CURLOPT_CONNECT_ONLY, 1)
        vigil_curl_easy_setopt_long(easy, CURLOPT_FRESH_CONNECT, 1)
        vigil_curl_easy_setopt_long(easy, CURLOPT_FORBID_REUSE, 1)
    }

    /// Probes talk to local services directly: an empty proxy overrides `http_proxy` and friends.
    private static func common(_ easy: UnsafeMutableRawPointer, _ transfer: CurlTransfer) {
        vigil_curl_easy_setopt_string(easy, CURLOPT_PROXY, "")
        vigil_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        vigil_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, CurlFailureText.milliseconds(transfer.timeout))
        vigil_curl_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
    }
}
