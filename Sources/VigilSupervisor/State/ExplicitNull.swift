/// An optional the control API writes as `null` when absent, never leaving its key out
/// (SPEC section 1: "Absent values are `null`, never left out"), so scripts can rely on every key.
///
/// Synthesized `Codable` skips a nil optional (`encodeIfPresent`); marking the property keeps
/// synthesized conformances and writes the key either way. Decoding still accepts a missing key.
///
/// ```swift
/// struct Answer: Codable { var name: String; @ExplicitNull var detail: String? }
/// // Answer(name: "a", detail: nil) encodes as {"detail":null,"name":"a"}
/// ```
@propertyWrapper
public struct ExplicitNull<Wrapped> {
    public var wrappedValue: Wrapped?

    public init(wrappedValue: Wrapped?) {
        self.wrappedValue = wrappedValue
    }
}

extension ExplicitNull: Encodable where Wrapped: Encodable {
    /// The same as encoding the optional itself with `encode(_:forKey:)`: `null` or the value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension ExplicitNull: Decodable where Wrapped: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Wrapped.self)
    }
}

extension KeyedDecodingContainer {
    /// Picked by synthesized `init(from:)` for an ``ExplicitNull`` property: a missing key is nil,
    /// as for a plain optional.
    public func decode<Wrapped: Decodable>(_ type: ExplicitNull<Wrapped>.Type, forKey key: Key) throws -> ExplicitNull<Wrapped> {
        ExplicitNull(wrappedValue: try decodeIfPresent(Wrapped.self, forKey: key))
    }
}

extension ExplicitNull: Equatable where Wrapped: Equatable {}
extension ExplicitNull: Hashable where Wrapped: Hashable {}
extension ExplicitNull: Sendable where Wrapped: Sendable {}
