/// One line of an nginx access log in Vigil's format:
///
///     log_format vigil '$msec $upstream_addr $status $upstream_response_time';
///
/// e.g. `1732212345.123 127.0.0.1:18081 200 0.002`. When nginx tried several upstreams the
/// address and time fields are lists (`127.0.0.1:18080, 127.0.0.1:18081 200 0.000, 0.002`): the
/// last address answered, the earlier ones failed (refused, reset or timed out).
struct NginxAccessLogLine: Equatable {
    /// Ports that failed before the one that answered, in order.
    var failedPorts: [UInt16]
    /// The port whose response the client got.
    var port: UInt16
    var status: Int
    /// The answering upstream's response time in nanoseconds, nil when nginx logged `-`.
    var latencyNanoseconds: UInt64?

    /// Nil for lines in another format or without an upstream (`-`: nginx answered itself).
    init?(_ line: Substring) {
        var tokens = line.split(separator: " ", omittingEmptySubsequences: true)[...]
        guard tokens.count >= 4 else { return nil }
        tokens.removeFirst()  // $msec: the tailer times lines by when it reads them
        var addresses: [Substring] = []
        while let token = tokens.first, token.hasSuffix(",") {
            addresses.append(token.dropLast())
            tokens.removeFirst()
        }
        guard let last = tokens.popFirst() else { return nil }
        addresses.append(last)
        let ports = addresses.map { address in address.split(separator: ":").last.flatMap { UInt16($0) } }
        guard let answering = ports.last ?? nil, let statusToken = tokens.popFirst(), let status = Int(statusToken) else { return nil }
        failedPorts = ports.dropLast().compactMap { $0 }
        port = answering
        self.status = status
        let time = tokens.last.map { $0.hasSuffix(",") ? $0.dropLast() : $0 }
        latencyNanoseconds = time.flatMap { Double($0) }.map { UInt64(max(0, $0) * 1e9) }
    }
}
