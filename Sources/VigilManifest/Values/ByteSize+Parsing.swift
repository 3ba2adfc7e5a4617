import Foundation

extension ByteSize {
    /// Examples for error messages.
    public static let examples = "512Ki, 256Mi, 2Gi or a plain number of bytes"

    /// Reads `512Ki`, `256Mi`, `2Gi`, `1Ti` (powers of 1024) or plain bytes (`1048576`).
    ///
    /// Returns nil for anything else, including decimal units such as `10MB`: a manifest says
    /// exactly how many bytes it means.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        let suffixes: [(String, UInt64)] = [("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40)]
        var digits = Substring(s)
        var unit: UInt64 = 1
        if let (suffix, size) = suffixes.first(where: { s.hasSuffix($0.0) }) {
            digits = digits.dropLast(suffix.count)
            unit = size
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = UInt64(digits) else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        self.init(bytes: bytes)
    }
}
