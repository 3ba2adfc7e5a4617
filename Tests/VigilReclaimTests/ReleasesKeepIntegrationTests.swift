import Foundation
import VigilControl
import VigilSupervisor
import VigilTestKit
import XCTest

/// `releases.keep` after a promotion, in a real `vigil up` with a blue-green fixture service and
/// no `reclaim` section at all: the third-oldest release goes, the previous one stays for a rollback.
final class ReleasesKeepIntegrationTests: XCTestCase {
    func testKeepTwoPrunesTheThirdOldestReleaseAfterAPromotionAndRollbackStillWorks() throws {
        let vigil = try VigilProcess()
        let releases = vigil.directory.appending("releases")
        for (index, name) in ["r1", "r2", "r3"].enumerated() {
            try FileManager.default.createDirectory(atPath: "\(releases)/\(name)/bin", withIntermediateDirectories: true)
            try Data(count: 4096).write(to: URL(fileURLWithPath: "\(releases)/\(name)/bin/app"))
            let then = time(nil) - (3 - index) * 3600
            var times = [timespec(tv_sec: then, tv_nsec: 0), timespec(tv_sec: then, tv_nsec: 0)]
            utimensat(AT_FDCWD, "\(releases)/\(name)", &times, 0)
        }
        let listen = try freeTCPPort(), blue = try freeTCPPort(), green = try freeTCPPort()
        try vigil.writeManifest("web", fixtureManifest(name: "web", port: nil, extraYAML: """
            releases: {dir: \(releases), keep: 2}
            probes:
              readiness: {http: {path: /ready}, period: 200ms, failureThreshold: 2}
            deploy:
              listen: 127.0.0.1:\(listen)
              ports: {blue: \(blue), green: \(green)}
              analysis: {interval: 300ms, window: 1s, minRequests: 5}
              drainTimeout: 1s
              scaleDownDelay: 1s
              progressDeadline: 2s
            """))
        try vigil.start()

        for release in ["r1", "r2"] {
            let deploy = try vigil.cli(["deploy", "web", "--release", release, "--wait", "--timeout", "60s"], timeout: .seconds(90))
            XCTAssertEqual(deploy.code, 0, deploy.output)
        }
        // After r2: r1 is the previous revision and r2, r3 are the newest two: all stay.
        for release in ["r1", "r2", "r3"] { XCTAssertTrue(FileManager.default.fileExists(atPath: "\(releases)/\(release)"), release) }

        let deploy = try vigil.cli(["deploy", "web", "--release", "r3", "--wait", "--timeout", "60s"], timeout: .seconds(90))
        XCTAssertEqual(deploy.code, 0, deploy.output)
        XCTAssertTrue(poll(timeout: .seconds(20)) { !FileManager.default.fileExists(atPath: "\(releases)/r1") }, "r1 should be pruned: \(vigil.output)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(releases)/r2/bin/app"), "the previous release stays")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(releases)/r3/bin/app"), "the active release stays")
        let pruned = try vigil.events().filter { $0.kind == .reclaimed }
        XCTAssertEqual(pruned.map(\.reason), ["releases"])
        XCTAssertTrue(pruned.first?.message.contains("\(releases)/r1") == true, pruned.first?.message ?? "no event")

        let rollback = try vigil.cli(["rollback", "web"])
        XCTAssertEqual(rollback.code, 0, rollback.output)
        XCTAssertTrue(poll(timeout: .seconds(30)) {
            let history = try? vigil.client.send("GET", "/v1/services/web/history").decode(HistoryReportProbe.self)
            return history?.active?.revision != nil && history?.revisions.first { $0.id == history?.active?.revision }?.release == "r2"
        }, "the rollback should make r2 active again: \(vigil.output)")
    }
}

/// The parts of `GET /v1/services/{name}/history` this test reads.
private struct HistoryReportProbe: Decodable {
    struct Active: Decodable { var revision: String }
    struct Revision: Decodable { var id: String; var release: String? }
    var active: Active?
    var revisions: [Revision]
}
