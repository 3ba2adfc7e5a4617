/// `logs.rateLimit`: how much of a service's output Vigil keeps per window, as journald's
/// `RateLimitBurst` / `RateLimitIntervalSec` do.
///
/// ```yaml
/// logs: {maxSize: 10Mi, keep: 3, rateLimit: {lines: 10000, per: 30s}}
/// logs: {rateLimit: {bytes: 1Mi, per: 10s}}
/// ```
/// A window opens with the first line after the previous one closed. Lines over the limit are
/// dropped whole; when the window ends, one marker line (`vigil: N lines suppressed ...`) says
/// how many.
public struct LogRateLimit: Sendable, Hashable, Codable {
    /// What one window admits.
    public enum Amount: Sendable, Hashable, Codable {
        /// At most this many lines.
        case lines(Int)
        /// Lines until this many bytes have been written; a line that starts within the budget
        /// is written whole.
        case bytes(ByteSize)
    }

    public var amount: Amount
    public var per: Duration

    public static let defaultWindow = Duration.seconds(30)

    public init(amount: Amount, per: Duration = defaultWindow) {
        self.amount = amount
        self.per = per
    }
}
