/// A Kubernetes-style HTTP probe: GET a URL; a status of 200–399 is healthy.
///
/// Failures read `GET http://127.0.0.1:8080/healthz: status 500` or
/// `GET http://127.0.0.1:8080/healthz: connection refused`. Redirects are answers, not followed.
public struct HTTPProbe: Probe {
    public let url: String
    public let headers: [String: String]
    private let client: CurlMulti

    public init(url: String, headers: [String: String], client: CurlMulti) {
        self.url = url
        self.headers = headers
        self.client = client
    }

    public func check(timeout: Duration) async -> ProbeResult {
        switch await client.get(url: url, headers: headers, timeout: timeout) {
        case .response(let status, _) where (200...399).contains(status):
            return .success
        case .response(let status, _):
            return .failure("GET \(url): status \(status)")
        case .failure(let reason):
            return .failure("GET \(url): \(reason)")
        }
    }
}
