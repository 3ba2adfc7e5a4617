import ArgumentParser
import Foundation
import VigilReclaim
import VigilSupervisor

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show services, colors, pids, states, readiness, restarts and memory.",
        discussion: "--json prints one object, stable for scripts (see SPEC section 1)."
    )

    @OptionGroup var client: ClientOptions
    @Argument(help: "Only this service.") var service: String?
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let report: StatusReport = try callControl {
            let control = client.client()
            if let service {
                return StatusReport(services: [try control.send("GET", "/v1/services/\(service)").decode(ServiceStatus.self)])
            }
            return try control.send("GET", "/v1/status").decode(StatusReport.self)
        }
        if json {
            let data = try VigilJSON.encoder().encode(report)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(StatusTable.render(report, now: Date()))
            // Watched filesystems above their high watermark; a Vigil without reclaim answers nothing to show.
            if let watch = try? client.client().send("GET", "/v1/reclaim").decode(ReclaimWatch.self) {
                for fs in watch.filesystems where fs.aboveHigh { print("disk " + ReclaimTable.heading(fs)) }
            }
        }
    }
}

/// The human table of `vigil status`.
enum StatusTable {
    static func render(_ report: StatusReport, now: Date) -> String {
        var rows = [["SERVICE", "COLOR", "STATE", "READY", "PID", "RESTARTS", "RSS", "LIMIT", "UPTIME"]]
        for service in report.services {
            for instance in service.instances {
                let active = service.activeColor == instance.color ? "*" : ""
                rows.append([
                    service.name, instance.color + active, instance.state, instance.ready ? "yes" : "no",
                    instance.pid.map(String.init) ?? "-", String(instance.restarts),
                    instance.rssBytes.map(formatBytes) ?? "-",
                    limitText(instance),
                    instance.startedAt.map { formatUptime(now.timeIntervalSince($0)) } ?? "-",
                ])
            }
        }
        if report.services.isEmpty { return "no services configured" }
        return (columns(rows) + rolloutLines(report) + memoryLine(report)).joined(separator: "\n")
    }

    /// `high/max` of `resources.memory` (`256Mi/512Mi`, `-/512Mi`), `-` without limits.
    static func limitText(_ instance: InstanceStatus) -> String {
        guard instance.memoryHighBytes != nil || instance.memoryMaxBytes != nil else { return "-" }
        return (instance.memoryHighBytes.map(formatBytes) ?? "-") + "/" + (instance.memoryMaxBytes.map(formatBytes) ?? "-")
    }

    /// How limits are enforced, when some service has one: "memory limits: cgroup v1".
    static func memoryLine(_ report: StatusReport) -> [String] {
        let limited = report.services.contains { $0.instances.contains { $0.memoryHighBytes != nil || $0.memoryMaxBytes != nil } }
        guard limited, let enforcement = report.memoryLimits else { return [] }
        return ["memory limits: \(enforcement)"]
    }

    /// `rows` (the first is the header) as lines of left-aligned columns two spaces apart.
    static func columns(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
    }

    /// Under the table, one line per blue-green service: the active revision, the warm standby, and the rollout in progress.
    static func rolloutLines(_ report: StatusReport) -> [String] {
        report.services.compactMap { service in
            guard let color = service.activeColor, let revision = service.revision else { return nil }
            var line = "\(service.name): \(revision)\(service.version.map { " (\($0))" } ?? "") active on \(color)"
            if let standby = service.standby {
                line += standby.serving ? "; warm standby \(standby.color) serving (\(color) not ready)" : "; warm standby \(standby.color)"
            }
            if let rollout = service.rollout {
                let weights = rollout.weights.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)%" }.joined(separator: " / ")
                line += "; rollout \(rollout.id) \(rollout.phase) (\(weights))"
            }
            return line
        }
    }

    static func formatBytes(_ bytes: UInt64) -> String {
        let mib = Double(bytes) / 1_048_576
        return mib >= 1024 ? String(format: "%.1fGi", mib / 1024) : String(format: "%.1fMi", mib)
    }

    static func formatUptime(_ seconds: TimeInterval) -> String {
        let s = Int(max(0, seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        if s < 86400 { return "\(s / 3600)h\(s % 3600 / 60)m" }
        return "\(s / 86400)d\(s % 86400 / 3600)h"
    }
}
