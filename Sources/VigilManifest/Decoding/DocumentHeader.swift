import Yams

/// The `apiVersion` and `kind` every document starts with, checked before the rest of the
/// document is read with the keys its kind allows.
enum DocumentKind: String, CaseIterable {
    case supervisor = "Supervisor"
    case service = "Service"
    case chaos = "Chaos"

    static let apiVersion = "vigil/v1"

    /// The document's kind, or nil (with errors reported) when the document is not a mapping or
    /// its `kind` is missing or unknown. A wrong or missing `apiVersion` is reported but the kind
    /// is still returned, so the rest of the document gets checked in the same pass.
    static func read(_ document: Node, _ reader: NodeReader) -> DocumentKind? {
        guard case .mapping(let mapping) = document else {
            reader.error(document, "a document must be a mapping starting with 'apiVersion: \(apiVersion)' and 'kind: Service' (or 'kind: Supervisor'), not \(NodeReader.describe(document))")
            return nil
        }
        if let version = mapping["apiVersion"] {
            if let text = reader.string(version, "apiVersion"), text != apiVersion {
                reader.error(version, "unsupported apiVersion '\(text)'; write apiVersion: \(apiVersion)")
            }
        } else {
            reader.error(document, "missing required key 'apiVersion'; add apiVersion: \(apiVersion) at the top of the document")
        }
        guard let kindNode = mapping["kind"] else {
            reader.error(document, "missing required key 'kind'; add kind: Service (or kind: Supervisor for vigil.yaml)")
            return nil
        }
        guard let text = reader.string(kindNode, "kind") else { return nil }
        guard let kind = DocumentKind(rawValue: text) else {
            let suggestion = NearestName.suggestion(for: text, among: allCases.map(\.rawValue)).map { "did you mean '\($0)'? " } ?? ""
            reader.error(kindNode, "unknown kind '\(text)'; \(suggestion)kind must be Service (a manifest) or Supervisor (vigil.yaml)")
            return nil
        }
        return kind
    }
}
