import Foundation

/// A security signal as it enters the engine: what was seen, for which customer, when, and the
/// evidence that came with it.
///
/// Built only through ``SignalValidator`` (from outside) or the ``ThreatGenerator``, so every
/// signal the agents see has a known threat type, a customer and well-typed evidence.
public struct SecuritySignal: Sendable, Codable, Hashable {
    public var id: String
    public var threatType: ThreatType
    public var customerName: String
    public var timestamp: Date
    /// Free-form evidence; the keys the agents understand are described in ``Evidence``.
    public var metadata: [String: JSONValue]

    public init(id: String, threatType: ThreatType, customerName: String, timestamp: Date, metadata: [String: JSONValue]) {
        self.id = id
        self.threatType = threatType
        self.customerName = customerName
        self.timestamp = timestamp
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case id
        case threatType = "threat_type"
        case customerName = "customer_name"
        case timestamp
        case metadata
    }
}
