import Yams

/// One YAML mapping whose keys have been checked: unknown keys are reported (with the nearest
/// known key suggested) when the reader is made, so decoders only ask for keys they know.
struct MappingReader {
    let node: Node
    /// Dotted path of this mapping, e.g. `probes.liveness`; empty for a document's root.
    let field: String
    /// How messages name this mapping: `field`, or the document kind for a root mapping.
    let label: String
    let reader: NodeReader
    private var entries: [String: (key: Node, value: Node)] = [:]

    init(mapping: Node.Mapping, node: Node, field: String, label: String, keys: [String], reader: NodeReader) {
        self.node = node
        self.field = field
        self.label = label
        self.reader = reader
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                reader.error(key, "keys must be plain names, not \(NodeReader.describe(key))")
                continue
            }
            let name = scalar.string
            guard keys.contains(name) else {
                let place = label.isEmpty ? "" : " in \(label)"
                if let suggestion = NearestName.suggestion(for: name, among: keys) {
                    reader.error(key, "unknown key '\(name)'\(place); did you mean '\(suggestion)'?")
                } else {
                    reader.error(key, "unknown key '\(name)'\(place); valid keys are: \(keys.joined(separator: ", "))")
                }
                continue
            }
            entries[name] = (key, value)
        }
    }

    subscript(key: String) -> Node? { entries[key]?.value }

    func has(_ key: String) -> Bool { entries[key] != nil }

    /// Where `key` is written, or where the mapping starts when it is absent.
    func location(of key: String) -> SourceLocation {
        reader.location(entries[key]?.key ?? node)
    }

    var location: SourceLocation { reader.location(node) }

    /// `field.key`, the path used in messages.
    func path(_ key: String) -> String { field.isEmpty ? key : "\(field).\(key)" }

    /// Reports a missing key at the start of this mapping, with an example of what to write.
    func requireKey(_ key: String, example: String) -> Node? {
        if let value = self[key] { return value }
        let place = label.isEmpty ? "" : " in \(label)"
        reader.diagnostics.error(location, "missing required key '\(key)'\(place); add e.g. \(key): \(example)")
        return nil
    }

    /// Reads `key` with `read` when present; nil when absent or invalid.
    func read<T>(_ key: String, _ read: (NodeReader) -> (Node, String) -> T?) -> T? {
        guard let value = self[key] else { return nil }
        return read(reader)(value, path(key))
    }

    /// A nested mapping at `key`, when present.
    func mapping(_ key: String, keys: [String]) -> MappingReader? {
        guard let value = self[key] else { return nil }
        return reader.mapping(value, path(key), keys: keys)
    }
}
