/// A byte count written as `512Ki`, `256Mi`, `2Gi`, `1Ti` or plain bytes.
public struct ByteSize: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var bytes: UInt64
    public init(bytes: UInt64) { self.bytes = bytes }
    public static func < (a: ByteSize, b: ByteSize) -> Bool { a.bytes < b.bytes }

    /// The shortest exact manifest spelling (`256Mi`), or plain bytes.
    public var description: String {
        for (suffix, unit) in [("Ti", UInt64(1) << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
        where bytes >= unit && bytes % unit == 0 {
            return "\(bytes / unit)\(suffix)"
        }
        return "\(bytes)"
    }
}

/// A fraction in 0...1, written `0.01` or `1%`.
public struct Ratio: Sendable, Hashable, Comparable, Codable {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static func < (a: Ratio, b: Ratio) -> Bool { a.value < b.value }
}

/// A `host:port` pair such as `127.0.0.1:9470`.
public struct HostPort: Sendable, Hashable, Codable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A POSIX signal named in a manifest (`SIGTERM`, `TERM`, `SIGINT`, ...).
public struct SignalName: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Canonical name with the `SIG` prefix.
    public var name: String
    public var number: Int32
    public init(name: String, number: Int32) {
        self.name = name
        self.number = number
    }
    public var description: String { name }
    public static let term = SignalName(name: "SIGTERM", number: 15)
    public static let kill = SignalName(name: "SIGKILL", number: 9)
}
