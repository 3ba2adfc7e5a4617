import CCurl

/// `curl_global_init`, run exactly once per process before the first handle is made.
///
/// Everything in Vigil that creates a libcurl handle (probes, the control client, notifiers)
/// calls ``initialize()`` first; only the first call does any work.
public enum CurlGlobal {
    private static let result: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    /// - Throws: ``CurlError`` when libcurl cannot initialise.
    public static func initialize() throws {
        guard result == CURLE_OK else {
            throw CurlError("libcurl failed to initialise: \(String(cString: curl_easy_strerror(result)))")
        }
    }
}
