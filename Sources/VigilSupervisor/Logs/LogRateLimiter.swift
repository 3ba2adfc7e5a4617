import VigilManifest

/// Decides, line by line, what of a service's output `logs.rateLimit` lets through.
///
/// A window opens at the first line after the previous window closed and lasts `per`. Within it
/// lines are admitted until the limit (lines, or bytes of admitted lines) is reached; the rest
/// are dropped whole and counted. The first line after the window (or ``windowEnded(at:)``,
/// called by a timer when the service falls silent) produces the marker line
/// `vigil: N lines suppressed (logs.rateLimit: L per D)`.
///
/// Chunks may cut lines anywhere: a line's fate is decided at its first byte and holds for its
/// continuation in later chunks. A pure value with the time passed in, so tests need no sleeps.
struct LogRateLimiter {
    /// What to write for one chunk, in order.
    enum Piece: Equatable {
        /// These bytes of the chunk.
        case bytes(Range<Int>)
        case marker(String)
    }

    let limit: LogRateLimit
    private var windowEnd: ContinuousClock.Instant?
    private var used = 0
    private var suppressed = 0
    /// The last byte seen was not a newline: the next chunk continues that line.
    private var midLine = false
    private var droppingLine = false

    init(_ limit: LogRateLimit) {
        self.limit = limit
    }

    /// When the current window closes, if one is open and has suppressed lines: the time for a
    /// timer to call ``windowEnded(at:)``.
    var markerDue: ContinuousClock.Instant? { suppressed > 0 ? windowEnd : nil }

    /// The pieces of `chunk` to write, with a marker where a window with suppressed lines ended.
    mutating func filter(_ chunk: UnsafeRawBufferPointer, at now: ContinuousClock.Instant) -> [Piece] {
        var pieces: [Piece] = []
        var index = 0
        while index < chunk.count {
            if !midLine { startLine(at: now, into: &pieces) }
            let newline = chunk[index...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline.map { $0 + 1 } ?? chunk.count
            midLine = newline == nil
            if !droppingLine {
                if case .bytes = limit.amount { used += end - index }
                if case .bytes(let previous) = pieces.last, previous.upperBound == index {
                    pieces[pieces.count - 1] = .bytes(previous.lowerBound..<end)
                } else {
                    pieces.append(.bytes(index..<end))
                }
            }
            index = end
        }
        return pieces
    }

    /// The marker for a window that has ended with suppressed lines, unless an admitted line is
    /// half written (its end comes first; the next line start writes the marker then).
    mutating func windowEnded(at now: ContinuousClock.Instant) -> String? {
        guard let end = windowEnd, now >= end, !(midLine && !droppingLine) else { return nil }
        return closeWindow()
    }

    private mutating func startLine(at now: ContinuousClock.Instant, into pieces: inout [Piece]) {
        if let end = windowEnd, now >= end, let marker = closeWindow() {
            pieces.append(.marker(marker))
        }
        if windowEnd == nil {
            windowEnd = now + limit.per
            used = 0
        }
        switch limit.amount {
        case .lines(let lines):
            droppingLine = used >= lines
            if !droppingLine { used += 1 }
        case .bytes(let bytes):
            droppingLine = UInt64(used) >= bytes.bytes
        }
        if droppingLine { suppressed += 1 }
    }

    /// Ends the window; the marker when lines were suppressed in it.
    private mutating func closeWindow() -> String? {
        windowEnd = nil
        defer { suppressed = 0 }
        guard suppressed > 0 else { return nil }
        return "vigil: \(suppressed) lines suppressed (logs.rateLimit: \(Self.describe(limit)))\n"
    }

    private static func describe(_ limit: LogRateLimit) -> String {
        let amount = switch limit.amount {
        case .lines(let lines): "\(lines) lines"
        case .bytes(let bytes): "\(bytes)"
        }
        return "\(amount) per \(DurationFormat.format(limit.per))"
    }
}
