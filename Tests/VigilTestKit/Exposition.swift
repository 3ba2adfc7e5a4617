import Foundation

/// A Prometheus text exposition read back for assertions: samples with unescaped label values,
/// and the `# HELP` / `# TYPE` line of each family.
public struct Exposition {
    public struct Sample: Equatable, Sendable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public let text: String
    public private(set) var samples: [Sample] = []
    public private(set) var help: [String: String] = [:]
    public private(set) var types: [String: String] = [:]

    public init(_ text: String) throws {
        self.text = text
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst("# HELP ".count)
                let name = rest.prefix { $0 != " " }
                help[String(name)] = String(rest.dropFirst(name.count + 1))
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw TestKitError("bad TYPE line: \(line)") }
                types[String(parts[2])] = String(parts[3])
            } else {
                samples.append(try Self.sample(String(line)))
            }
        }
    }

    public init(bytes: [UInt8]) throws {
        try self.init(String(decoding: bytes, as: UTF8.self))
    }

    /// The samples of `name` whose labels include `labels`.
    public func samples(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
    }

    /// The one sample of `name` with exactly these labels (plus none other), or nil.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// `name{labels} value`, with `\\`, `\"` and `\n` unescaped in label values.
    private static func sample(_ line: String) throws -> Sample {
        var index = line.startIndex
        while index < line.endIndex, line[index] != "{", line[index] != " " { index = line.index(after: index) }
        let name = String(line[..<index])
        var labels: [String: String] = [:]
        if index < line.endIndex, line[index] == "{" {
            index = line.index(after: index)
            while line[index] != "}" {
                let equals = line[index...].firstIndex(of: "=")!
                let key = String(line[index..<equals])
                index = line.index(equals, offsetBy: 2)  // past `="`
                var value = ""
                while line[index] != "\"" {
                    if line[index] == "\\" {
                        index = line.index(after: index)
                        switch line[index] {
                        case "n": value.append("\n")
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        default: throw TestKitError("bad escape in: \(line)")
                        }
                    } else {
                        value.append(line[index])
                    }
                    index = line.index(after: index)
                }
                labels[key] = value
                index = line.index(after: index)
                if line[index] == "," { index = line.index(after: index) }
            }
            index = line.index(after: index)
        }
        let valueText = line[index...].trimmingCharacters(in: .whitespaces)
        guard let value = Double(valueText) else { throw TestKitError("bad sample value in: \(line)") }
        return Sample(name: name, labels: labels, value: value)
    }
}
