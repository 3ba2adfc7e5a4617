import Foundation

/// Turns a request body into a ``SecuritySignal``, or says exactly which field is wrong.
///
/// Messages name the field the way the client wrote it (`metadata.source_ip`), say what was
/// found and what is expected, so a 400 tells the caller what to fix.
public enum SignalValidator {
    /// A validation failure; `message` is ready to return to the client.
    public struct Failure: Error, Sendable, Equatable {
        public var field: String
        public var message: String
    }

    /// Parses and validates a `POST /api/signals` body.
    public static func signal(from body: some Collection<UInt8>, now: Date, id: String = UUID().uuidString.lowercased()) throws(Failure) -> SecuritySignal {
        let json: JSONValue
        do {
            json = try JSONParser.parse(body)
        } catch {
            throw Failure(field: "body", message: "body: not valid JSON; send an object like {\"threat_type\": \"bot_traffic\", \"customer_name\": \"acme_corp\", \"metadata\": {}}")
        }
        guard let object = json.objectValue else {
            throw Failure(field: "body", message: "body: expected a JSON object, found \(json.typeName)")
        }
        return try signal(from: object, now: now, id: id)
    }

    /// Validates an already-parsed signal object.
    public static func signal(from object: [String: JSONValue], now: Date, id: String) throws(Failure) -> SecuritySignal {
        let threatType = try Self.threatType(object["threat_type"], field: "threat_type", required: true)!
        guard let customerValue = object["customer_name"] else {
            throw Failure(field: "customer_name", message: "customer_name: required; give the customer the signal belongs to")
        }
        guard let customer = customerValue.stringValue else {
            throw Failure(field: "customer_name", message: "customer_name: expected a string, found \(customerValue.typeName)")
        }
        let trimmed = customer.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 128 else {
            throw Failure(field: "customer_name", message: "customer_name: must be 1 to 128 characters")
        }
        var timestamp = now
        if let value = object["timestamp"], value != .null {
            guard let text = value.stringValue, let parsed = ISO8601.parse(text) else {
                throw Failure(field: "timestamp", message: "timestamp: expected an ISO 8601 date-time like 2026-11-21T17:03:00Z, found \(value.typeName == "a string" ? "'\(value.stringValue!)'" : value.typeName)")
            }
            timestamp = parsed
        }
        var metadata: [String: JSONValue] = [:]
        if let value = object["metadata"], value != .null {
            guard let members = value.objectValue else {
                throw Failure(field: "metadata", message: "metadata: expected an object, found \(value.typeName)")
            }
            metadata = members
        }
        try validate(metadata: metadata)
        return SecuritySignal(id: id, threatType: threatType, customerName: trimmed, timestamp: timestamp, metadata: metadata)
    }

    /// Reads an optional or required threat type, naming `field` when it is wrong.
    public static func threatType(_ value: JSONValue?, field: String, required: Bool) throws(Failure) -> ThreatType? {
        guard let value, value != .null else {
            if required { throw Failure(field: field, message: "\(field): required; one of \(ThreatType.allNames)") }
            return nil
        }
        guard let text = value.stringValue else {
            throw Failure(field: field, message: "\(field): expected a string, found \(value.typeName)")
        }
        guard let type = ThreatType(rawValue: text) else {
            throw Failure(field: field, message: "\(field): unknown threat type '\(text)'; expected one of \(ThreatType.allNames)")
        }
        return type
    }

    private static func validate(metadata: [String: JSONValue]) throws(Failure) {
        if let value = metadata["source_ip"] {
            guard let text = value.stringValue else {
                throw Failure(field: "metadata.source_ip", message: "metadata.source_ip: expected a string, found \(value.typeName)")
            }
            guard IPv4Address(text) != nil || isIPv6Address(text) else {
                throw Failure(field: "metadata.source_ip", message: "metadata.source_ip: '\(text)' is not an IPv4 or IPv6 address")
            }
        }
        for key in ["requests_per_minute", "travel_speed_kmh", "failed_logins", "bytes_out", "baseline_bytes_out"] {
            try nonNegativeNumber(metadata[key], field: "metadata.\(key)")
        }
        if let value = metadata["bot_score"] {
            guard let score = value.doubleValue, (0...1).contains(score) else {
                throw Failure(field: "metadata.bot_score", message: "metadata.bot_score: expected a number from 0 to 1, found \(value.typeName)")
            }
        }
        for key in ["location", "previous_location", "endpoint", "user_agent"] {
            if let value = metadata[key], value.stringValue == nil {
                throw Failure(field: "metadata.\(key)", message: "metadata.\(key): expected a string, found \(value.typeName)")
            }
        }
        if let value = metadata["indicators"] {
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw Failure(field: "metadata.indicators", message: "metadata.indicators: expected an array of strings")
            }
        }
        if let value = metadata["asset_criticality"] {
            guard let text = value.stringValue, AssetCriticality(rawValue: text.lowercased()) != nil else {
                throw Failure(field: "metadata.asset_criticality", message: "metadata.asset_criticality: expected one of low, medium, high, critical")
            }
        }
    }

    private static func nonNegativeNumber(_ value: JSONValue?, field: String) throws(Failure) {
        guard let value else { return }
        guard let number = value.doubleValue, number.isFinite, number >= 0 else {
            throw Failure(field: field, message: "\(field): expected a number ≥ 0, found \(value.typeName == "a string" ? "'\(value.stringValue!)'" : value.typeName)")
        }
    }
}
