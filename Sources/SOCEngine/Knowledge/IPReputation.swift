import Foundation

/// What is known about a range of source addresses: declared crawlers, and ranges seen doing harm.
///
/// Loaded from the IP reputation JSON (embedded, or `--ip-reputation FILE`):
/// `{"ranges": [{"cidr": "66.249.64.0/19", "category": "crawler", "name": "Googlebot"}]}`.
/// Categories: `crawler` (benign automation), `malicious`, `tor_exit`, `proxy`.
public struct IPReputation: Sendable {
    public struct Entry: Sendable, Codable, Hashable {
        public var cidr: String
        public var category: String
        public var name: String
        public var note: String?
    }

    /// A matching range with its parsed network.
    public struct Match: Sendable, Hashable {
        public var entry: Entry
        public var network: IPv4Network
        public var isCrawler: Bool { entry.category == "crawler" }
        public var isHostile: Bool { ["malicious", "tor_exit", "proxy"].contains(entry.category) }
    }

    private struct File: Decodable { var ranges: [Entry] }

    private let ranges: [(IPv4Network, Entry)]

    public init(json: Data, origin: String) throws {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: json)
        } catch {
            throw EngineDataError(file: origin, message: "cannot read IP reputation: \(error); expected {\"ranges\": [{\"cidr\", \"category\", \"name\"}]}")
        }
        var ranges: [(IPv4Network, Entry)] = []
        for entry in file.ranges {
            guard let network = IPv4Network(entry.cidr) else {
                throw EngineDataError(file: origin, message: "range '\(entry.cidr)' (\(entry.name)) is not IPv4 CIDR notation")
            }
            guard ["crawler", "malicious", "tor_exit", "proxy"].contains(entry.category) else {
                throw EngineDataError(file: origin, message: "range '\(entry.cidr)': unknown category '\(entry.category)'; use crawler, malicious, tor_exit or proxy")
            }
            ranges.append((network, entry))
        }
        // Most specific first, so a /24 inside a /16 wins.
        self.ranges = ranges.sorted { $0.0.prefixLength > $1.0.prefixLength }
    }

    /// The reputation list shipped in the binary.
    public static func embedded() throws -> IPReputation {
        try IPReputation(json: Data(EmbeddedData.ipReputation.utf8), origin: "embedded ip-reputation.json")
    }

    /// The most specific range holding `address`, if any.
    public func lookup(_ address: IPv4Address?) -> Match? {
        guard let address else { return nil }
        for (network, entry) in ranges where network.contains(address) {
            return Match(entry: entry, network: network)
        }
        return nil
    }

    /// Every range of a category, for the generator.
    public func networks(category: String) -> [IPv4Network] {
        ranges.filter { $0.1.category == category }.map(\.0)
    }
}
