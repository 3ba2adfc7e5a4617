import Foundation

/// The MITRE ATT&CK Enterprise catalogue the priority agent maps threats onto.
///
/// Loaded once from the embedded `attack-enterprise.json` (v18.1, revoked and deprecated
/// techniques already dropped). Every id the engine emits is looked up here, so names always
/// match the catalogue and an id missing from it is a programming error caught by the tests.
public struct AttackCatalogue: Sendable {
    public struct Tactic: Sendable, Codable, Hashable {
        public var id: String
        public var name: String
        public var shortname: String
    }

    public struct Technique: Sendable, Codable, Hashable {
        public var id: String
        public var name: String
        /// Tactic shortnames ("initial-access").
        public var tactics: [String]
    }

    private struct File: Decodable {
        var tactics: [Tactic]
        var techniques: [Technique]
    }

    public let tactics: [String: Tactic]
    public let techniques: [String: Technique]

    /// The catalogue shipped in the binary.
    public static let embedded: AttackCatalogue = {
        do {
            return try AttackCatalogue(json: Data(EmbeddedData.attackEnterprise.utf8))
        } catch {
            fatalError("the embedded ATT&CK catalogue does not parse (\(error)); regenerate it with scripts/embed-engine-data.py")
        }
    }()

    public init(json: Data) throws {
        let file = try JSONDecoder().decode(File.self, from: json)
        tactics = Dictionary(file.tactics.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        techniques = Dictionary(file.techniques.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The reference for a technique id, or nil when the catalogue does not have it.
    public func technique(_ id: String) -> MitreReference? {
        techniques[id].map { MitreReference(id: $0.id, name: $0.name) }
    }

    /// The reference for a tactic id ("TA0001"), or nil.
    public func tactic(_ id: String) -> MitreReference? {
        tactics[id].map { MitreReference(id: $0.id, name: $0.name) }
    }
}
