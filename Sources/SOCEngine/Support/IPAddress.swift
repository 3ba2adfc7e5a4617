/// An IPv4 address as a 32-bit number, for range checks without allocation.
public struct IPv4Address: Sendable, Hashable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad notation ("203.0.113.7"); nil for anything else.
    public init?(_ text: some StringProtocol) {
        var result: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var parts = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                result = result << 8 | octet
                octet = 0
                digits = 0
                parts += 1
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        self.value = result << 8 | octet
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    /// The /24 network this address is in, written "203.0.113.0/24": the key the historical agent
    /// groups neighbouring sources by.
    public var subnet24: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).0/24"
    }
}

/// An IPv4 network in CIDR notation ("66.249.64.0/19").
public struct IPv4Network: Sendable, Hashable, CustomStringConvertible {
    public var base: UInt32
    public var prefixLength: Int

    /// Parses "a.b.c.d/n" (or a bare address as a /32); nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPv4Address(parts[0]) else { return nil }
        var length = 32
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...32).contains(parsed) else { return nil }
            length = parsed
        }
        self.prefixLength = length
        self.base = address.value & Self.mask(length)
    }

    private static func mask(_ length: Int) -> UInt32 {
        length == 0 ? 0 : UInt32.max << UInt32(32 - length)
    }

    public func contains(_ address: IPv4Address) -> Bool {
        address.value & Self.mask(prefixLength) == base
    }

    public var description: String { "\(IPv4Address(base))/\(prefixLength)" }
}

/// Whether `text` is an IPv6 address in any of its textual forms (hex groups, `::`, an embedded
/// IPv4 tail). Used only to accept such sources; ranges are IPv4.
func isIPv6Address(_ text: String) -> Bool {
    guard text.contains(":"), text.count <= 45 else { return false }
    let allowed = Set("0123456789abcdefABCDEF:.")
    guard text.allSatisfy({ allowed.contains($0) }) else { return false }
    let doubleColons = text.components(separatedBy: "::").count - 1
    guard doubleColons <= 1 else { return false }
    let groups = text.split(separator: ":", omittingEmptySubsequences: true)
    for (index, group) in groups.enumerated() {
        if group.contains(".") {
            guard index == groups.count - 1, IPv4Address(group) != nil else { return false }
        } else if group.count > 4 {
            return false
        }
    }
    return doubleColons == 1 ? groups.count <= 7 : groups.count == 8 || (groups.count == 7 && groups.last?.contains(".") == true)
}
