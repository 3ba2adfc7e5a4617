import Foundation
import Metrics

/// Makes a log's dropped rotations visible: `vigil_log_rotations_dropped_total{service}` counts
/// every file, and one `logs_dropped` event marks the start of each episode (not each file), so a
/// long flood is one line in `vigil events` rather than thousands.
struct LogDropReporter: Sendable {
    static let metricName = "vigil_log_rotations_dropped_total"

    let service: String
    let color: String?
    let events: EventLog
    private let counter: Counter

    init(service: String, color: String?, events: EventLog) {
        self.service = service
        self.color = color
        self.events = events
        counter = Counter(label: Self.metricName, dimensions: [("service", service)])
    }

    func report(_ drop: LogDrop) {
        counter.increment()
        guard drop.startsEpisode else { return }
        let name = (drop.log as NSString).lastPathComponent
        events.record(SupervisorEvent(
            service: service, color: color, kind: .logsDropped,
            message: "log compression is behind the writer: dropping the oldest rotated files of \(name) uncompressed "
                + "(\(drop.bytes) bytes first) to keep the log within maxSize × (keep + 1); see \(Self.metricName)"
        ))
    }
}
