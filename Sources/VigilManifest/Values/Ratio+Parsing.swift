import Foundation

extension Ratio {
    /// Examples for error messages.
    public static let examples = "0.01 or 1% (between 0 and 1, or 0% and 100%)"

    /// Reads a fraction written `0.01` (0 to 1) or `1%` (0% to 100%).
    ///
    /// Returns nil for anything outside those ranges, so `1.5` and `150%` are rejected rather
    /// than silently clamped.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        let isPercent = s.hasSuffix("%")
        let number = isPercent ? String(s.dropLast()).trimmingCharacters(in: .whitespaces) : s
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(number) else { return nil }
        let fraction = isPercent ? value / 100 : value
        guard (0...1).contains(fraction) else { return nil }
        self.init(fraction)
    }
}
