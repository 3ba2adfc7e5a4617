import Foundation
import Yams

/// A customer's security settings, as the customers file describes them.
public struct CustomerProfile: Sendable, Codable, Hashable {
    public var name: String
    public var displayName: String
    /// `enterprise`, `business` or `standard`: drives severity weight and SLA.
    public var tier: String
    /// Requests per minute one source may send before it counts as a breach.
    public var rateLimitPerMinute: Double?
    public var geoRestrictions: GeoRestrictions?
    /// IPv4 addresses or CIDR ranges the customer vouches for (partners, monitors, scanners).
    public var allowedIps: [String]
    /// Whether the engine may block without a human when severity is HIGH or worse.
    public var autoBlock: Bool
    public var securityContact: String?
    /// Endpoint prefix -> criticality; the longest matching prefix wins.
    public var assets: [String: AssetCriticality]
    public var defaultAssetCriticality: AssetCriticality

    public struct GeoRestrictions: Sendable, Codable, Hashable {
        public var allowedCountries: [String]?
        public var blockedCountries: [String]?

        enum CodingKeys: String, CodingKey {
            case allowedCountries = "allowed_countries"
            case blockedCountries = "blocked_countries"
        }
    }

    enum CodingKeys: String, CodingKey {
        case name
        case displayName = "display_name"
        case tier
        case rateLimitPerMinute = "rate_limit_per_minute"
        case geoRestrictions = "geo_restrictions"
        case allowedIps = "allowed_ips"
        case autoBlock = "auto_block"
        case securityContact = "security_contact"
        case assets
        case defaultAssetCriticality = "default_asset_criticality"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        displayName = try c.decodeIfPresent(String.self, forKey: .displayName) ?? name
        tier = try c.decodeIfPresent(String.self, forKey: .tier) ?? "standard"
        rateLimitPerMinute = try c.decodeIfPresent(Double.self, forKey: .rateLimitPerMinute)
        geoRestrictions = try c.decodeIfPresent(GeoRestrictions.self, forKey: .geoRestrictions)
        allowedIps = try c.decodeIfPresent([String].self, forKey: .allowedIps) ?? []
        autoBlock = try c.decodeIfPresent(Bool.self, forKey: .autoBlock) ?? false
        securityContact = try c.decodeIfPresent(String.self, forKey: .securityContact)
        assets = try c.decodeIfPresent([String: AssetCriticality].self, forKey: .assets) ?? [:]
        defaultAssetCriticality = try c.decodeIfPresent(AssetCriticality.self, forKey: .defaultAssetCriticality) ?? .medium
    }

    /// The criticality of the asset behind `endpoint`: the longest configured prefix, else the default.
    public func criticality(of endpoint: String?) -> (AssetCriticality, matched: String?) {
        guard let endpoint else { return (defaultAssetCriticality, nil) }
        var best: (String, AssetCriticality)?
        for (prefix, level) in assets where endpoint.hasPrefix(prefix) {
            if best == nil || prefix.count > best!.0.count || (prefix.count == best!.0.count && prefix < best!.0) {
                best = (prefix, level)
            }
        }
        return best.map { ($0.1, $0.0) } ?? (defaultAssetCriticality, nil)
    }
}

/// Every known customer, loaded from the customers YAML file (embedded, or `--customers FILE`).
public struct CustomerDirectory: Sendable {
    public let customers: [String: CustomerProfile]
    /// Customer names in file order, for the generator.
    public let names: [String]
    /// Each customer's allow-list, parsed once.
    public let allowLists: [String: [IPv4Network]]

    private struct File: Decodable {
        var customers: [CustomerProfile]
    }

    /// Parses a customers file; the error names the file and what is wrong.
    public init(yaml: String, origin: String) throws {
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: yaml)
        } catch {
            throw EngineDataError(file: origin, message: "cannot read customers: \(error); expected `customers:` with a list of {name, tier, rate_limit_per_minute, ...}")
        }
        var customers: [String: CustomerProfile] = [:]
        var allowLists: [String: [IPv4Network]] = [:]
        for customer in file.customers {
            guard customers[customer.name] == nil else {
                throw EngineDataError(file: origin, message: "customer '\(customer.name)' is listed twice")
            }
            var networks: [IPv4Network] = []
            for entry in customer.allowedIps {
                guard let network = IPv4Network(entry) else {
                    throw EngineDataError(file: origin, message: "customer '\(customer.name)': allowed_ips entry '\(entry)' is not an IPv4 address or CIDR range")
                }
                networks.append(network)
            }
            customers[customer.name] = customer
            allowLists[customer.name] = networks
        }
        self.customers = customers
        self.names = file.customers.map(\.name)
        self.allowLists = allowLists
    }

    /// The customers file shipped in the binary.
    public static func embedded() throws -> CustomerDirectory {
        try CustomerDirectory(yaml: EmbeddedData.customers, origin: "embedded customers.yaml")
    }

    public subscript(name: String) -> CustomerProfile? { customers[name] }
}

/// A data file (customers, IP reputation) that cannot be used, with what to fix.
public struct EngineDataError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}
