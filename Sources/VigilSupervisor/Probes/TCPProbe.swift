/// A Kubernetes-style TCP probe: healthy when a TCP connection to `host:port` opens.
///
/// Every check opens a fresh connection and closes it at once; failures read
/// `connect 127.0.0.1:8080: connection refused`.
public struct TCPProbe: Probe {
    public let host: String
    public let port: UInt16
    private let client: CurlMulti

    public init(host: String, port: UInt16, client: CurlMulti) {
        self.host = host
        self.port = port
        self.client = client
    }

    public func check(timeout: Duration) async -> ProbeResult {
        switch await client.connect(host: host, port: port, timeout: timeout) {
        case .connected:
            return .success
        case .failure(let reason):
            let target = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            return .failure("connect \(target): \(reason)")
        }
    }
}
