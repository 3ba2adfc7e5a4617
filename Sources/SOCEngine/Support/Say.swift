import Foundation

/// Number formatting shared by the agents' texts: "4,200", "3.5", "67%".
enum Say {
    static func count(_ value: Double) -> String {
        let rounded = Int(value.rounded())
        var digits = String(abs(rounded))
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(digits, at: 0)
        return (rounded < 0 ? "-" : "") + groups.joined(separator: ",")
    }

    static func count(_ value: Int) -> String { count(Double(value)) }

    static func ratio(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return tenths == tenths.rounded() ? String(Int(tenths)) : String(tenths)
    }

    static func percent(_ value: Double) -> String { "\(Int((value * 100).rounded()))%" }

    /// "1 restart", "3 restarts"; `plural` for irregular words ("policies").
    static func plural(_ count: Int, _ word: String, _ plural: String? = nil) -> String {
        "\(Say.count(count)) \(count == 1 ? word : plural ?? word + "s")"
    }

    /// "4 minutes", "45 seconds", "2 hours", "3 days".
    static func duration(_ seconds: TimeInterval) -> String {
        let s = abs(seconds)
        if s < 90 { return plural(Int(s.rounded()), "second") }
        if s < 5400 { return plural(Int((s / 60).rounded()), "minute") }
        if s < 129_600 { return plural(Int((s / 3600).rounded()), "hour") }
        return plural(Int((s / 86400).rounded()), "day")
    }
}
