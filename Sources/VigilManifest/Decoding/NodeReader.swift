import Foundation
import Yams

/// Reads typed values out of the YAML nodes of one file, reporting each problem at the node it
/// concerns and returning nil so decoding can carry on and find the next problem.
///
/// `field` arguments are dotted paths as the user wrote them (`restart.backoff.initial`), so a
/// message names exactly the key to fix.
struct NodeReader {
    /// The file as it is printed in messages.
    let file: String
    /// Absolute directory of the file; relative paths inside it resolve against this.
    let directory: String
    let diagnostics: Diagnostics

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func error(_ node: Node, _ message: String) {
        diagnostics.error(location(node), message)
    }

    /// How a node looks, for "must be X, not Y" messages.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar where node.null != nil: "empty"
        case .scalar(let scalar): "'\(scalar.string)'"
        case .alias: "an alias"
        }
    }

    /// The mapping in `node`, with its keys checked against `keys`.
    /// `label` names a document's root mapping in messages (`Service`), where `field` is empty.
    func mapping(_ node: Node, _ field: String, keys: [String], label: String? = nil) -> MappingReader? {
        guard case .mapping(let mapping) = node else {
            error(node, "'\(field)' must be a mapping (key: value pairs), not \(Self.describe(node))")
            return nil
        }
        return MappingReader(mapping: mapping, node: node, field: field, label: label ?? field, keys: keys, reader: self)
    }

    /// The elements of a list.
    func list(_ node: Node, _ field: String, example: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            error(node, "'\(field)' must be a list, not \(Self.describe(node)); for example \(field.split(separator: ".").last ?? ""): \(example)")
            return nil
        }
        return Array(sequence)
    }

    /// Any single value, as the text written in the file.
    func string(_ node: Node, _ field: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(node, "'\(field)' must be a single value, not \(Self.describe(node))")
            return nil
        }
        guard node.null == nil else {
            error(node, "'\(field)' is empty; give it a value or remove the key")
            return nil
        }
        return scalar.string
    }

    /// A non-empty string.
    func nonEmptyString(_ node: Node, _ field: String) -> String? {
        guard let s = string(node, field) else { return nil }
        guard !s.isEmpty else {
            error(node, "'\(field)' must not be empty")
            return nil
        }
        return s
    }

    func int(_ node: Node, _ field: String, atLeast minimum: Int? = nil, atMost maximum: Int? = nil) -> Int? {
        guard let text = string(node, field) else { return nil }
        guard let value = node.int, !text.contains(".") else {
            error(node, "'\(field)' must be a whole number, not '\(text)'")
            return nil
        }
        if let minimum, value < minimum {
            error(node, "'\(field)' must be at least \(minimum), not \(value)")
            return nil
        }
        if let maximum, value > maximum {
            error(node, "'\(field)' must be at most \(maximum), not \(value)")
            return nil
        }
        return value
    }

    func double(_ node: Node, _ field: String) -> Double? {
        guard let text = string(node, field) else { return nil }
        guard let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            error(node, "'\(field)' must be a number such as 2 or 1.5, not '\(text)'")
            return nil
        }
        return value
    }

    /// The single value in `node` parsed by `parse`; when that fails, `message` (given the text
    /// as written) is reported at the node.
    private func parsed<T>(_ node: Node, _ field: String, _ parse: (String) -> T?, else message: (String) -> String) -> T? {
        guard let text = string(node, field) else { return nil }
        guard let value = parse(text) else {
            error(node, message(text))
            return nil
        }
        return value
    }

    func bool(_ node: Node, _ field: String) -> Bool? {
        parsed(node, field, { _ in node.bool }) { "'\(field)' must be true or false, not '\($0)'" }
    }

    func duration(_ node: Node, _ field: String) -> Duration? {
        parsed(node, field, DurationFormat.parse) { text in
            let hint = Int(text) != nil ? " (a duration needs a unit: \(text)s)" : ""
            return "'\(field)' is not a duration: '\(text)'\(hint); write it like \(DurationFormat.examples)"
        }
    }

    /// A duration that must be greater than zero (periods, intervals, timeouts).
    func positiveDuration(_ node: Node, _ field: String) -> Duration? {
        guard let value = duration(node, field) else { return nil }
        guard value > .zero else {
            error(node, "'\(field)' must be longer than 0s; write it like \(DurationFormat.examples)")
            return nil
        }
        return value
    }

    func size(_ node: Node, _ field: String) -> ByteSize? {
        parsed(node, field, ByteSize.init(parsing:)) {
            "'\(field)' is not a size: '\($0)'; write it like \(ByteSize.examples) (units are powers of 1024: Ki, Mi, Gi, Ti)"
        }
    }

    func ratio(_ node: Node, _ field: String) -> Ratio? {
        parsed(node, field, Ratio.init(parsing:)) { "'\(field)' is not a ratio: '\($0)'; write it like \(Ratio.examples)" }
    }

    func port(_ node: Node, _ field: String) -> UInt16? {
        let number = { (text: String) -> UInt16? in
            guard let value = node.int, !text.contains("."), (1...65535).contains(value) else { return nil }
            return UInt16(value)
        }
        return parsed(node, field, number) { "'\(field)' must be a port number from 1 to 65535, not '\($0)'" }
    }

    func hostPort(_ node: Node, _ field: String) -> HostPort? {
        parsed(node, field, HostPort.init(parsing:)) {
            "'\(field)' must be host:port with a port from 1 to 65535, such as 127.0.0.1:8080, not '\($0)'"
        }
    }

    func signal(_ node: Node, _ field: String) -> SignalName? {
        parsed(node, field, SignalName.init(parsing:)) {
            let names = SignalName.known.map(\.name).joined(separator: ", ")
            return "'\(field)' is not a known signal: '\($0)'; use one of \(names) (TERM and 15 work too)"
        }
    }

    /// One of a fixed set of words, such as `restart.policy`.
    func choice<T: RawRepresentable>(_ node: Node, _ field: String, _ type: T.Type, allowed: [T]) -> T? where T.RawValue == String {
        parsed(node, field, { text in allowed.first { $0.rawValue == text } }) { text in
            let names = allowed.map(\.rawValue)
            let hint = NearestName.suggestion(for: text, among: names).map { "did you mean '\($0)'? " } ?? ""
            return "'\(field)' must be one of \(names.joined(separator: ", ")), not '\(text)'; \(hint)".trimmingCharacters(in: CharacterSet(charactersIn: "; "))
        }
    }

    /// A non-empty list of strings, such as an argv.
    func argv(_ node: Node, _ field: String) -> [String]? {
        let example = "[/usr/bin/app, --port, \"${PORT}\"]"
        guard let items = list(node, field, example: example) else { return nil }
        guard !items.isEmpty else {
            error(node, "'\(field)' must not be empty; give the program and its arguments, e.g. \(example)")
            return nil
        }
        let values = items.enumerated().map { string($1, "\(field)[\($0)]") }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }

    /// A list of strings (may be empty).
    func stringList(_ node: Node, _ field: String, example: String) -> [String]? {
        guard let items = list(node, field, example: example) else { return nil }
        let values = items.enumerated().map { nonEmptyString($1, "\(field)[\($0)]") }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }

    /// `path` made absolute against this file's directory, with `.` and `..` folded.
    func absolutePath(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : directory + "/" + path
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }
}
