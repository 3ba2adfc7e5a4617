import ArgumentParser
import Foundation
import VigilReclaim
import VigilSupervisor

struct ReclaimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reclaim",
        abstract: "Run one disk reclaim pass now and list what was (or would be) freed.",
        discussion: """
            Each watched filesystem above its highWatermark is freed in SPEC order (rotated logs, old releases, \
            configured globs) until below its lowWatermark; every candidate is listed with its size, kind and \
            whether it was deleted or kept and why. --dry-run deletes nothing and lists exactly what a real pass would.
            """
    )

    @OptionGroup var client: ClientOptions
    @Flag(name: .customLong("dry-run"), help: "Delete nothing; list what a real pass would delete.") var dryRun = false
    @Flag(name: .long, help: "Print the report as JSON (see SPEC section 5).") var json = false

    func run() throws {
        let body = Array(#"{"dryRun": \#(dryRun)}"#.utf8)
        let report = try callControl {
            try client.client().send("POST", "/v1/reclaim", body: body, timeout: .seconds(300)).decode(ReclaimReport.self)
        }
        if json {
            print(String(decoding: try VigilJSON.encoder().encode(report), as: UTF8.self))
        } else {
            print(ReclaimTable.render(report))
        }
    }
}

/// The human form of a ``ReclaimReport``: a heading per watched filesystem, then its candidates.
enum ReclaimTable {
    static func render(_ report: ReclaimReport) -> String {
        if report.filesystems.isEmpty { return "no filesystems are watched (add reclaim.disk to the supervisor config)" }
        var lines: [String] = []
        for fs in report.filesystems {
            lines.append(heading(fs))
            if let error = fs.error { lines.append("  error: \(error)") }
            guard !fs.candidates.isEmpty else { continue }
            let rows = [["PATH", "BYTES", "KIND", "OUTCOME"]] + fs.candidates.map { candidate in
                [candidate.path, StatusTable.formatBytes(candidate.bytes), candidate.kind.rawValue,
                 candidate.outcome.rawValue + (candidate.reason.map { ": \($0)" } ?? "")]
            }
            lines += StatusTable.columns(rows).map { "  " + $0 }
        }
        let verb = report.dryRun ? "would free" : "freed"
        lines.append("\(verb) \(StatusTable.formatBytes(report.freedBytes))\(report.dryRun ? " (dry run: nothing was deleted)" : "")")
        return lines.joined(separator: "\n")
    }

    /// `/var/lib/vigil: 93% used, 12% of inodes (high 90%, low 80%) ABOVE HIGH`.
    static func heading(_ fs: ReclaimReport.Filesystem) -> String {
        var line = "\(fs.path): \(percent(fs.usedRatio)) used, \(percent(fs.inodesUsedRatio)) of inodes (high \(percent(fs.highWatermark)), low \(percent(fs.lowWatermark)))"
        if fs.exhausted {
            line += " ABOVE HIGH, nothing left that may be deleted"
        } else if fs.aboveHigh {
            line += " ABOVE HIGH"
        }
        return line
    }

    static func percent(_ ratio: Double) -> String { "\(Int((ratio * 100).rounded()))%" }
}
