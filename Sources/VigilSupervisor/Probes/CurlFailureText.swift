import CCurl
import Glibc
import VigilManifest

/// Turns a libcurl error into the short, lower-case reason probes report.
///
/// The common cases get fixed wording that operators and tests can match on
/// (`connection refused`, `timed out after 1s`); anything else falls back to libcurl's own text.
enum CurlFailureText {
    static func describe(code: CURLcode, osErrno: Int, timeout: Duration, host: String) -> String {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return "timed out after \(DurationFormat.format(timeout))"
        case CURLE_COULDNT_CONNECT:
            if osErrno == Int(ECONNREFUSED) { return "connection refused" }
            if osErrno != 0 { return "cannot connect: \(String(cString: strerror(Int32(osErrno))).lowercased())" }
            return "cannot connect"
        case CURLE_COULDNT_RESOLVE_HOST:
            return "cannot resolve host \(host)"
        case CURLE_GOT_NOTHING:
            return "connection closed without a response"
        case CURLE_RECV_ERROR where osErrno == Int(ECONNRESET), CURLE_SEND_ERROR where osErrno == Int(ECONNRESET):
            return "connection reset by peer"
        default:
            return String(cString: curl_easy_strerror(code)).lowercased()
        }
    }

    /// Whole milliseconds, at least 1 (libcurl treats 0 as "no timeout").
    static func milliseconds(_ d: Duration) -> Int {
        let (s, atto) = d.components
        let ms = s * 1000 + atto / 1_000_000_000_000_000
        return max(1, Int(clamping: ms))
    }
}
