import Foundation
import Logging
import VigilSupervisor
import VigilTelemetry
import XCTest

/// The three log formats, the journal's priorities and field names, and how events map to levels.
final class LogFormatTests: XCTestCase {
    private let time = Date(timeIntervalSince1970: 1_795_000_000.125)

    private func eventLine(_ kind: EventKind = .exited) -> LogLine {
        let event = SupervisorEvent(id: 12, time: time, service: "demo-web", color: "blue", kind: kind, reason: "exit", message: "exited with status 1", pid: 4242)
        return LogLine(
            time: time, level: EventLogging.level(for: kind), label: EventLogging.label,
            message: EventLogging.message(for: event), metadata: EventLogging.metadata(for: event)
        )
    }

    func testTextLineHasLevelLabelMessageAndOnlyMetadataTheMessageDoesNotSpell() {
        let text = TextLogFormat.format(eventLine())
        XCTAssertTrue(text.hasSuffix(" warning vigil.event: demo-web/blue exited [exit]: exited with status 1 (event_id=12 pid=4242)"), text)
        XCTAssertNotNil(text.range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.125 "#, options: .regularExpression), text)

        let plain = TextLogFormat.format(LogLine(level: .info, label: "vigil.systemd", message: "hello", metadata: ["service": "x"]))
        XCTAssertTrue(plain.hasSuffix(" info vigil.systemd: hello (service=x)"), "non-event lines keep every key: \(plain)")
    }

    func testJSONLineIsOneObjectWithFixedKeysFirstAndEscapedValues() throws {
        var line = eventLine()
        line.message = "quote \" backslash \\ newline \n tab \t bell \u{7}"
        line.metadata["message"] = "collides"
        let text = JSONLogFormat.format(line)
        XCTAssertFalse(text.contains("\n"), "one line: \(text)")
        XCTAssertTrue(text.hasPrefix(#"{"time":"2026-11-18T"#), text)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        XCTAssertEqual(object["time"], "2026-11-18T11:06:40.125Z")
        XCTAssertEqual(object["level"], "warning")
        XCTAssertEqual(object["logger"], "vigil.event")
        XCTAssertEqual(object["message"], line.message)
        XCTAssertEqual(object["meta_message"], "collides")
        XCTAssertEqual(object["service"], "demo-web")
        XCTAssertEqual(object["color"], "blue")
        XCTAssertEqual(object["event_kind"], "exited")
        XCTAssertEqual(object["reason"], "exit")
        XCTAssertEqual(object["pid"], "4242")
    }

    func testJournalPrioritiesFollowSyslogNumbers() {
        let expected: [Logger.Level: Int] = [.trace: 7, .debug: 7, .info: 6, .notice: 5, .warning: 4, .error: 3, .critical: 2]
        for (level, priority) in expected {
            XCTAssertEqual(JournalFields.priority(level), priority, "\(level)")
        }
        XCTAssertEqual(JournalFields.prefixedLine(LogLine(level: .error, label: "vigil.event", message: "boom")), "<3>vigil.event: boom")
    }

    func testJournalFieldsCarryEventFieldsUnderJournalNames() {
        let fields = JournalFields.fields(eventLine(.crashloop))
        XCTAssertEqual(fields.first, "MESSAGE=demo-web/blue crashloop [exit]: exited with status 1")
        for field in ["PRIORITY=3", "SYSLOG_IDENTIFIER=vigil", "VIGIL_LOGGER=vigil.event", "SERVICE=demo-web", "COLOR=blue", "EVENT_KIND=crashloop", "REASON=exit", "PID=4242", "EVENT_ID=12"] {
            XCTAssertTrue(fields.contains(field), "\(field) missing from \(fields)")
        }
        XCTAssertTrue(fields.contains { $0.hasPrefix("CODE_LINE=") })
    }

    func testJournalFieldNamesAreSanitisedAndNeverOverrideStandardFields() {
        XCTAssertEqual(JournalFields.fieldName("event_kind"), "EVENT_KIND")
        XCTAssertEqual(JournalFields.fieldName("http.status-code"), "HTTP_STATUS_CODE")
        XCTAssertEqual(JournalFields.fieldName("_trusted"), "TRUSTED", "a leading _ would claim a trusted field")
        XCTAssertEqual(JournalFields.fieldName("9lives"), "LIVES")
        XCTAssertNil(JournalFields.fieldName("__"))
        XCTAssertEqual(JournalFields.fieldName(String(repeating: "a", count: 80))?.count, 64)
        let fields = JournalFields.fields(LogLine(level: .info, label: "x", message: "real", metadata: ["message": "fake", "priority": "0"]))
        XCTAssertEqual(fields.filter { $0.hasPrefix("MESSAGE=") }, ["MESSAGE=real"])
        XCTAssertEqual(fields.filter { $0.hasPrefix("PRIORITY=") }, ["PRIORITY=6"])
    }

    func testEventLevelsSayHowMuchAnOperatorShouldCare() {
        XCTAssertEqual(EventLogging.level(for: .crashloop), .error)
        XCTAssertEqual(EventLogging.level(for: .spawnFailed), .error)
        XCTAssertEqual(EventLogging.level(for: .probeFailed), .warning)
        XCTAssertEqual(EventLogging.level(for: .exited), .warning)
        XCTAssertEqual(EventLogging.level(for: .reloadRejected), .warning)
        XCTAssertEqual(EventLogging.level(for: .spawned), .info)
        XCTAssertEqual(EventLogging.level(for: .started), .info)
        XCTAssertEqual(EventLogging.level(for: .supervisorStarted), .notice)
    }

    func testHandlerMergesMetadataAndHandsWholeLinesToTheSink() {
        let sink = CapturingSink()
        var logger = Logger(label: "vigil.test") { VigilLogHandler(label: $0, sink: sink, logLevel: .notice) }
        logger[metadataKey: "service"] = "api"
        logger.info("dropped: below notice")
        logger.warning("kept", metadata: ["reason": "memory", "service": "web"])
        XCTAssertEqual(sink.lines.count, 1)
        XCTAssertEqual(sink.lines.first?.message, "kept")
        XCTAssertEqual(sink.lines.first?.label, "vigil.test")
        XCTAssertEqual(sink.lines.first?.metadata["service"], "web", "the call's metadata wins over the logger's")
        XCTAssertEqual(sink.lines.first?.metadata["reason"], "memory")
    }

    func testAutoMeansJournalOnlyWhenStderrIsTheStreamSystemdConnected() throws {
        let path = NSTemporaryDirectory() + "vt-journal-\(getpid())"
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        defer {
            close(fd)
            unlink(path)
        }
        var info = stat()
        XCTAssertEqual(fstat(fd, &info), 0)
        let matching = ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"]
        XCTAssertEqual(LogFormat.auto.resolved(environment: matching, standardError: fd), .journal)
        XCTAssertEqual(LogFormat.auto.resolved(environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino + 1)"], standardError: fd), .text)
        XCTAssertEqual(LogFormat.auto.resolved(environment: ["JOURNAL_STREAM": "garbage"], standardError: fd), .text)
        XCTAssertEqual(LogFormat.auto.resolved(environment: [:], standardError: fd), .text)
        XCTAssertEqual(LogFormat.json.resolved(environment: matching, standardError: fd), .json, "an explicit format stays")
    }

    func testStreamSinkWritesOneLinePerMessage() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]) }
        let sink = StreamLogSink(style: .json, descriptor: fds[1])
        sink.write(LogLine(level: .error, label: "a", message: "one"))
        sink.write(LogLine(level: .info, label: "b", message: "two\nlines"))
        close(fds[1])
        let output = String(decoding: FileHandle(fileDescriptor: fds[0]).readDataToEndOfFile(), as: UTF8.self)
        let lines = output.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, output)
        XCTAssertTrue(lines[1].contains(#""message":"two\nlines""#), output)
    }
}

private final class CapturingSink: LogSink, @unchecked Sendable {
    private let lock = NSLock()
    private var captured: [LogLine] = []
    var lines: [LogLine] { lock.withLock { captured } }
    func write(_ line: LogLine) { lock.withLock { captured.append(line) } }
}
