import Yams

/// Turns Yams/libyaml errors into positioned messages that say how to fix the file.
enum YAMLErrorText {
    /// Where a duplicate key's second occurrence is written.
    struct KeyPosition {
        var line: Int
        var column: Int
        /// Where the key's letters start (after an opening quote) and how many there are.
        var nameColumn: Int
        var length: Int
    }

    struct Problem {
        var line: Int
        var column: Int
        var message: String
        /// Set for a duplicate key whose second occurrence was found.
        var duplicate: KeyPosition?
    }

    static func describe(_ error: Error, in text: String) -> Problem {
        let hint = "check the indentation, and quote values that contain ': ', ' #', '{' or '['"
        switch error {
        case YamlError.scanner(let context, let problem, let mark, _),
             YamlError.parser(let context, let problem, let mark, _),
             YamlError.composer(let context, let problem, let mark, _):
            if character(at: mark, in: text) == "\t" {
                return Problem(line: mark.line, column: mark.column, message: "YAML syntax error: a tab character; YAML indents with spaces only, so replace the tab with spaces")
            }
            if problem.contains("undefined alias") {
                return Problem(line: mark.line, column: mark.column, message: "YAML syntax error: \(problem); define the anchor (&name) before the alias (*name) that uses it")
            }
            let during = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return Problem(line: mark.line, column: mark.column, message: "YAML syntax error: \(problem)\(during); \(hint)")
        case YamlError.reader(let problem, let offset, _, _):
            let (line, column) = offset.map { lineAndColumn(ofCharacterOffset: $0, in: text) } ?? (1, 1)
            return Problem(line: line, column: column, message: "cannot read the YAML text: \(problem); save the file as UTF-8 text")
        case YamlError.duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let first = context.mark
            let message = "duplicate key '\(key)' (first written at line \(first.line), column \(first.column)); keep only one of them"
            guard let second = secondOccurrence(of: key, after: first, in: text) else {
                return Problem(line: first.line, column: first.column, message: message)
            }
            return Problem(line: second.line, column: second.column, message: message, duplicate: second)
        default:
            return Problem(line: 1, column: 1, message: "cannot parse YAML: \(error)")
        }
    }

    /// `text` with the key at `position` replaced by private-use characters of the same count,
    /// a name no schema knows; nil when the position is not in the text.
    static func renameKey(at position: KeyPosition, in text: String, placeholderNumber: Int) -> String? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        let lineIndex = position.line - 1, start = position.nameColumn - 1
        guard lines.indices.contains(lineIndex), start >= 0, start + position.length <= lines[lineIndex].count,
              let first = Unicode.Scalar(0xE000 + UInt32(placeholderNumber % 0x1000)),
              let filler = Unicode.Scalar(0xF000) else { return nil }
        for offset in 0..<position.length {
            lines[lineIndex][start + offset] = offset == 0 ? first : filler
        }
        return lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
    }

    private static func character(at mark: Mark, in text: String) -> Unicode.Scalar? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let scalars = Array(lines[mark.line - 1].unicodeScalars)
        return scalars.indices.contains(mark.column - 1) ? scalars[mark.column - 1] : nil
    }

    private static func lineAndColumn(ofCharacterOffset offset: Int, in text: String) -> (Int, Int) {
        var line = 1, column = 1
        for char in text.prefix(offset) {
            if char == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    /// Finds where `key` is written again after its first occurrence at `first`: later on the
    /// same line (flow style `{a: 1, a: 2}`), or on a following line at the same indentation
    /// (block style), stopping where the mapping ends.
    static func secondOccurrence(of key: String, after first: Mark, in text: String) -> KeyPosition? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard first.line >= 1, first.line <= lines.count, !key.isEmpty else { return nil }
        let name = Array(key.unicodeScalars)
        let spellings: [(scalars: [Unicode.Scalar], nameOffset: Int)] = [
            (name, 0), (Array("\"\(key)\"".unicodeScalars), 1), (Array("'\(key)'".unicodeScalars), 1),
        ]
        func keyAt(_ line: [Unicode.Scalar], _ index: Int) -> Int? {
            for spelling in spellings {
                let end = index + spelling.scalars.count
                guard end <= line.count, Array(line[index..<end]) == spelling.scalars else { continue }
                if line[end...].drop(while: { $0 == " " }).first == ":" { return spelling.nameOffset }
            }
            return nil
        }
        func position(_ lineIndex: Int, _ index: Int, _ nameOffset: Int) -> KeyPosition {
            KeyPosition(line: lineIndex + 1, column: index + 1, nameColumn: index + 1 + nameOffset, length: name.count)
        }
        let firstLine = lines[first.line - 1]
        let column = first.column - 1
        for index in (column + 1)..<max(column + 1, firstLine.count) where [" ", "{", ","].contains(firstLine[index - 1]) {
            if let offset = keyAt(firstLine, index) { return position(first.line - 1, index, offset) }
        }
        for lineIndex in first.line..<lines.count {
            let line = lines[lineIndex]
            let indent = line.prefix { $0 == " " }.count
            let content = line.dropFirst(indent)
            if content.isEmpty || content.first == "#" { continue }
            if indent < column { return nil }
            if indent == column, let offset = keyAt(line, column) { return position(lineIndex, column, offset) }
        }
        return nil
    }
}
