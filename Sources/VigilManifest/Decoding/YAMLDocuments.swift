import Foundation
import Yams

/// Reads a YAML file into its documents, turning libyaml's errors into ``ManifestError``s with
/// the line and column of the problem.
///
/// Documents that parsed before a syntax error are still returned, so their own problems are
/// reported too; empty documents (a stray `---`) are skipped.
///
/// Duplicate keys make libyaml (through Yams) give up on the whole stream. So that one
/// duplicate does not hide every other problem of the file, the second occurrence is reported,
/// renamed in a private copy of the text to a placeholder of the same length (columns stay
/// right), and the text parsed again. The placeholder keys are returned in `renamedKeys`: the
/// caller drops the "unknown key" errors they cause.
enum YAMLDocuments {
    struct Contents {
        var documents: [Node] = []
        var renamedKeys: Set<SourceLocation> = []
    }

    /// Enough for any real file; a bound so a pathological one cannot loop for long.
    private static let maxRenamedKeys = 50

    static func read(_ reader: NodeReader) -> Contents {
        let path = reader.file
        guard let data = FileManager.default.contents(atPath: path) else {
            reader.diagnostics.error(SourceLocation(file: path, line: 1, column: 1), "cannot read this file; check that it exists and is readable")
            return Contents()
        }
        guard var text = String(data: data, encoding: .utf8) else {
            reader.diagnostics.error(SourceLocation(file: path, line: 1, column: 1), "this file is not UTF-8 text; save it as UTF-8")
            return Contents()
        }
        var contents = Contents()
        while true {
            contents.documents = []
            do {
                var sequence = try Yams.compose_all(yaml: text)
                while let document = sequence.next() {
                    if case .scalar = document, document.null != nil { continue }
                    contents.documents.append(document)
                }
                if let error = sequence.error { throw error }
                return contents
            } catch {
                let problem = YAMLErrorText.describe(error, in: text)
                reader.diagnostics.error(SourceLocation(file: path, line: problem.line, column: problem.column), problem.message)
                guard let duplicate = problem.duplicate, contents.renamedKeys.count < maxRenamedKeys,
                      let renamed = YAMLErrorText.renameKey(at: duplicate, in: text, placeholderNumber: contents.renamedKeys.count) else {
                    return contents
                }
                text = renamed
                contents.renamedKeys.insert(SourceLocation(file: path, line: duplicate.line, column: duplicate.column))
            }
        }
    }
}
