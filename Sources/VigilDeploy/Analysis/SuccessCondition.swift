import Foundation

/// `analysis.prometheus.successCondition`: a comparison operator and a number, `< 0.01`,
/// `>= 0.99`, `== 0`. The query's value passes when `value OP number` holds.
public struct SuccessCondition: Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        // Two-character operators first, so `<=` is not read as `<` and `=0`.
        case lessOrEqual = "<=", greaterOrEqual = ">=", equal = "==", notEqual = "!="
        case less = "<", greater = ">"
    }

    public let op: Operator
    public let threshold: Double

    /// - Throws: an ``AnalysisError`` showing the expected shape.
    public init(parsing text: String) throws(AnalysisError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let op = Operator.allCases.first(where: { trimmed.hasPrefix($0.rawValue) }),
              let threshold = Double(trimmed.dropFirst(op.rawValue.count).trimmingCharacters(in: .whitespaces))
        else {
            throw AnalysisError("successCondition '\(text)' is not an operator and a number; write it like \"< 0.01\" (operators < <= > >= == !=)")
        }
        self.op = op
        self.threshold = threshold
    }

    public func holds(for value: Double) -> Bool {
        switch op {
        case .less: value < threshold
        case .lessOrEqual: value <= threshold
        case .greater: value > threshold
        case .greaterOrEqual: value >= threshold
        case .equal: value == threshold
        case .notEqual: value != threshold
        }
    }

    public var description: String { "\(op.rawValue) \(threshold.formatted())" }
}

extension Double {
    /// `0.01`, `5`, without a trailing `.0`.
    func formatted() -> String {
        self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}

/// An analysis that could not be set up or run, worded for the operator.
public struct AnalysisError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
