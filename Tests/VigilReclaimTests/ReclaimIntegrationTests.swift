import Foundation
import VigilReclaim
import VigilSupervisor
import VigilTestKit
import XCTest

/// Reclaim inside a real `vigil up`: the watch acts on its own, `vigil reclaim`, `vigil status`,
/// `/metrics` and reload, on tmpfs mounts the test makes.
final class ReclaimIntegrationTests: XCTestCase {
    var mounts: [ScratchFilesystem] = []

    override func tearDown() {
        for fs in mounts { fs.unmount() }
    }

    func reclaimYAML(metricsPort: UInt16, watched: ScratchFilesystem, full: ScratchFilesystem, glob: String, high: String = "60%", low: String = "40%") -> String {
        """
        metrics: {listen: 127.0.0.1:\(metricsPort)}
        reclaim:
          interval: 300ms
          disk:
            - {path: \(watched.path), highWatermark: \(high), lowWatermark: \(low), clean: [{glob: "\(glob)", olderThan: 1h}]}
            - {path: \(full.path), highWatermark: 50%, lowWatermark: 40%, clean: []}
        """
    }

    /// 1 MiB that no rule matches and sixteen old 256 KiB glob matches: 5 of 8 MiB (62.5%).
    func fill(_ fs: ScratchFilesystem, round: Int) throws {
        try fs.write("keep/unmatched", bytes: 1 << 20, age: .seconds(7200))
        for index in 0..<16 { try fs.write("tmp/soc-\(round)-\(index)", bytes: 256 << 10, age: .seconds(7200)) }
    }

    func testTheWatchReclaimsOnItsOwnAndFollowsReloadsWhileTheCLIAndMetricsReport() throws {
        let watched = try ScratchFilesystem.tmpfs(megabytes: 8)
        mounts.append(watched)
        let full = try ScratchFilesystem.tmpfs(megabytes: 4)
        mounts.append(full)
        try full.write("stuck", bytes: 3 << 20)
        let metricsPort = try freeTCPPort()
        let glob = watched.path + "/tmp/soc-*"
        let vigil = try VigilProcess(extraConfigYAML: reclaimYAML(metricsPort: metricsPort, watched: watched, full: full, glob: glob))
        try vigil.start()

        // Below high: a dry run lists what is there and keeps it all.
        try watched.write("tmp/soc-early", bytes: 4096, age: .seconds(7200))
        let dry = try vigil.cli(["reclaim", "--dry-run", "--json"])
        XCTAssertEqual(dry.code, 0, dry.output)
        XCTAssertTrue(dry.output.contains(#""error":null"#), "absent values are null, never left out: \(dry.output)")
        let report = try VigilJSON.decoder().decode(ReclaimReport.self, from: Data(dry.output.utf8))
        XCTAssertEqual(report.filesystems.first?.candidates.map(\.reason), ["filesystem below its high watermark"])
        XCTAssertEqual(report.filesystems.last?.exhausted, true, "the full filesystem has nothing it may delete")

        // Past high: the watch frees globs on its own until below low; the unmatched file stays.
        try fill(watched, round: 1)
        XCTAssertTrue(poll(timeout: .seconds(30)) { watched.usage.bytes < 0.40 }, "usage stayed at \(watched.usage.bytes): \(vigil.output)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: watched.appending("keep/unmatched")))

        let status = try vigil.cli(["status"])
        XCTAssertTrue(status.output.contains("disk \(full.path): "), status.output)
        XCTAssertTrue(status.output.contains("ABOVE HIGH, nothing left that may be deleted"), status.output)
        XCTAssertFalse(status.output.contains("disk \(watched.path)"), status.output)

        // A bad reclaim section is rejected with its location; the old one keeps acting.
        let good = try String(contentsOfFile: vigil.configPath, encoding: .utf8)
        try good.replacingOccurrences(of: glob, with: "/etc/*").write(toFile: vigil.configPath, atomically: true, encoding: .utf8)
        // (--control: a client that reads the now-invalid config could not find the socket in it.)
        let rejected = try vigil.cli(["reload", "--control", vigil.socketPath], passConfig: false)
        XCTAssertEqual(rejected.code, 1, rejected.output)
        XCTAssertTrue(rejected.output.contains("vigil.yaml:9:"), rejected.output)
        XCTAssertTrue(rejected.output.contains("can match paths outside the watched path \(watched.path)"), rejected.output)
        try fill(watched, round: 2)
        XCTAssertTrue(poll(timeout: .seconds(30)) { watched.usage.bytes < 0.40 }, "the old config should still reclaim: \(vigil.output)")

        // A changed reclaim section applies on reload: lower watermarks free more.
        try supervisorConfig(stateDir: vigil.stateDir, manifestsDir: vigil.manifestsDir,
                             extraYAML: reclaimYAML(metricsPort: metricsPort, watched: watched, full: full, glob: glob, high: "30%", low: "20%"))
            .write(toFile: vigil.configPath, atomically: true, encoding: .utf8)
        let applied = try vigil.cli(["reload"])
        XCTAssertEqual(applied.code, 0, applied.output)
        XCTAssertTrue(poll(timeout: .seconds(30)) { watched.usage.bytes < 0.20 }, "usage stayed at \(watched.usage.bytes) after the reload: \(vigil.output)")

        let events = try vigil.events()
        XCTAssertGreaterThan(events.filter { $0.kind == .reclaimed && $0.reason == "glob" }.count, 8)
        XCTAssertFalse(events.contains { $0.kind == .reclaimed && $0.message.contains("unmatched") })
        XCTAssertEqual(events.filter { $0.kind == .reclaimExhausted }.count, 1, "once for the full filesystem's one crossing")

        let exposition = try XCTUnwrap(SimpleHTTP.get(port: metricsPort, path: "/metrics")).body
        let metrics = try Exposition(exposition)
        let reclaimedGlob = metrics.samples.first { $0.name == "vigil_reclaimed_bytes_total" && $0.labels["kind"] == "glob" }
        XCTAssertGreaterThan(reclaimedGlob?.value ?? 0, Double(4 << 20), "at least 4 MiB of globs were freed")
        XCTAssertNotNil(metrics.samples.first { $0.name == "vigil_disk_used_ratio" && $0.labels["path"] == full.path && $0.value > 0.5 })
        XCTAssertNotNil(metrics.samples.first { $0.name == "vigil_disk_inodes_used_ratio" && $0.labels["path"] == watched.path })
        XCTAssertGreaterThan(metrics.samples.first { $0.name == "vigil_reclaim_runs_total" && $0.labels["result"] == "reclaimed" }?.value ?? 0, 0)
        XCTAssertNil(try Promtool.remarks(on: exposition))
    }
}
