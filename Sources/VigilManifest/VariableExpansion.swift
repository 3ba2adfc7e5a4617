/// `${NAME}` expansion for `command`, `env` values and exec probes.
///
/// There is no shell: expansion is plain text substitution inside one argv element, so a value
/// with spaces stays one argument. `$$` writes a literal `$`; a `$` followed by anything else is
/// kept as it is. Names are `[A-Za-z_][A-Za-z0-9_]*`.
///
/// ```swift
/// try VariableExpansion.expand("127.0.0.1:${PORT}", variables: ["PORT": "18080"])  // "127.0.0.1:18080"
/// ```
public enum VariableExpansion {
    /// The variables Vigil itself provides to every instance.
    public static let builtinNames: Set<String> = [
        "PORT", "COLOR", "REVISION", "VERSION", "RELEASE_DIR", "SERVICE", "STATE_DIR", "VIGIL_BIN",
    ]

    /// Why a text could not be expanded.
    public enum Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        /// `${NAME}` names no variable.
        case unknownVariable(String)
        /// `${` without its closing `}`.
        case unterminated
        /// `${...}` holds something that is not a variable name.
        case invalidName(String)

        public var description: String {
            switch self {
            case .unknownVariable(let name):
                "unknown variable '${\(name)}'"
            case .unterminated:
                "'${' without a closing '}'; write ${NAME}, or $$ for a literal '$'"
            case .invalidName(let name):
                "'${\(name)}' is not a variable name; names are letters, digits and '_' (write $$ for a literal '$')"
            }
        }
    }

    /// `text` with every `${NAME}` replaced by its value and `$$` by `$`.
    ///
    /// Throws ``Error/unknownVariable(_:)`` naming the first variable missing from `variables`.
    public static func expand(_ text: String, variables: [String: String]) throws -> String {
        var out = ""
        for segment in try segments(of: text) {
            switch segment {
            case .literal(let s): out += s
            case .variable(let name):
                guard let value = variables[name] else { throw Error.unknownVariable(name) }
                out += value
            }
        }
        return out
    }

    /// The names `text` refers to, in order of first appearance; malformed references are left out.
    public static func references(in text: String) -> [String] {
        var names: [String] = []
        for case .variable(let name) in (try? segments(of: text)) ?? [] where !names.contains(name) {
            names.append(name)
        }
        return names
    }

    /// Expands the names `variables` knows and keeps every other `${NAME}` as written, for
    /// checks made at load time when some values (`PORT`, `RELEASE_DIR`) are not known yet.
    /// The result is for inspection only: a `$$` in `text` comes out as a single `$`.
    static func expandKnown(_ text: String, variables: [String: String]) throws -> String {
        var out = ""
        for segment in try segments(of: text) {
            switch segment {
            case .literal(let s): out += s
            case .variable(let name): out += variables[name] ?? "${\(name)}"
            }
        }
        return out
    }

    private enum Segment {
        case literal(String)
        case variable(String)
    }

    private static func segments(of text: String) throws -> [Segment] {
        var result: [Segment] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            let next = text.index(after: index)
            guard char == "$", next < text.endIndex, text[next] == "$" || text[next] == "{" else {
                literal.append(char)
                index = next
                continue
            }
            if text[next] == "$" {
                if !literal.isEmpty { result.append(.literal(literal)) }
                result.append(.literal("$"))
                literal = ""
                index = text.index(after: next)
                continue
            }
            let nameStart = text.index(after: next)
            guard let close = text[nameStart...].firstIndex(of: "}") else { throw Error.unterminated }
            let name = String(text[nameStart..<close])
            guard isValidName(name) else { throw Error.invalidName(name) }
            if !literal.isEmpty { result.append(.literal(literal)) }
            literal = ""
            result.append(.variable(name))
            index = text.index(after: close)
        }
        if !literal.isEmpty { result.append(.literal(literal)) }
        return result
    }

    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
