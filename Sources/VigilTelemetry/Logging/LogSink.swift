import CSystemd
import Foundation

/// Where formatted log lines go. Every ``VigilLogHandler`` of a process shares one sink, which
/// writes each line whole (one `write(2)` or one journal entry), so lines from several threads
/// never interleave.
public protocol LogSink: Sendable {
    func write(_ line: LogLine)
}

/// Lines as text or JSON on a file descriptor (stderr for `vigil up`).
public struct StreamLogSink: LogSink {
    public enum Style: Sendable { case text, json }

    let style: Style
    let descriptor: Int32

    public init(style: Style, descriptor: Int32 = STDERR_FILENO) {
        self.style = style
        self.descriptor = descriptor
    }

    public func write(_ line: LogLine) {
        let text = style == .text ? TextLogFormat.format(line) : JSONLogFormat.format(line)
        writeWhole(text + "\n", to: descriptor)
    }
}

/// Structured entries to journald through `sd_journal_sendv`; when the journal socket is not
/// there (a container without journald), the line goes to stderr with its `<N>` priority prefix.
public struct JournalLogSink: LogSink {
    let fallbackDescriptor: Int32

    public init(fallbackDescriptor: Int32 = STDERR_FILENO) {
        self.fallbackDescriptor = fallbackDescriptor
    }

    public func write(_ line: LogLine) {
        if send(JournalFields.fields(line)) { return }
        writeWhole(JournalFields.prefixedLine(line) + "\n", to: fallbackDescriptor)
    }

    private func send(_ fields: [String]) -> Bool {
        // One buffer for all fields; sd_journal_sendv copies them before it returns.
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = bytes.count
            bytes += field.utf8
            ranges.append(start..<bytes.count)
        }
        return bytes.withUnsafeMutableBytes { buffer in
            let vectors = ranges.map { iovec(iov_base: buffer.baseAddress! + $0.lowerBound, iov_len: $0.count) }
            return sd_journal_sendv(vectors, Int32(vectors.count)) >= 0
        }
    }
}

/// Writes all of `text`, retrying short writes and EINTR; a closed descriptor drops the line.
func writeWhole(_ text: String, to descriptor: Int32) {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
        if written < 0 {
            if errno == EINTR { continue }
            return
        }
        offset += written
    }
}
