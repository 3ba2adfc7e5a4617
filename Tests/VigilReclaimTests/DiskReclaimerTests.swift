import Foundation
import VigilManifest
import VigilReclaim
import VigilSupervisor
import VigilTestKit
import XCTest

/// Reclaim on a real 8 MiB tmpfs the test mounts: what goes, what must survive, dry runs and
/// the exhausted event.
final class DiskReclaimerTests: XCTestCase {
    var fixture: ReclaimFixture!
    var holder: ProcessHandle?
    var innerMount: String?

    override func setUpWithError() throws {
        fixture = try ReclaimFixture(fs: try ScratchFilesystem.tmpfs(megabytes: 8))
    }

    override func tearDown() {
        holder?.terminate(signal: SIGKILL)
        _ = holder?.waitForExit()
        if let innerMount { umount2(innerMount, Int32(MNT_DETACH)) }
        fixture?.close()
    }

    /// What the layout holds, by fate.
    struct Layout {
        var allowed: Set<String>
        var survivors: [String]
        var outside: [String]
    }

    /// 6 MiB of 8 (75%): 2 MiB that no rule matches, 2 MiB of rotated logs (one held open by a
    /// running process), four 256 KiB releases (the newest within keep, the next the previous
    /// revision), three glob matches (one too new), an unmatched file, symlinks to files outside
    /// the filesystem and a tmpfs mounted under the glob. Everything allowed is 2.5 MiB, and all
    /// of it must go to get from above 70% to below 45%.
    func makeLayout() throws -> Layout {
        let fs = fixture.fs
        try fs.write("data/fill", bytes: 2 << 20)
        let logs = "state/logs/"
        try fs.write(logs + "api.log", bytes: 100)
        let open = try fs.write(logs + "api.log.4", bytes: 512 << 10, age: .seconds(5 * 3600))
        let allowedLogs = [
            try fs.write(logs + "api.log.3", bytes: 512 << 10, age: .seconds(3 * 3600)),
            try fs.write(logs + "api.log.2", bytes: 512 << 10, age: .seconds(2 * 3600)),
            try fs.write(logs + "web-blue.log.1.gz", bytes: 512 << 10, age: .seconds(90 * 60)),
        ]
        var releases: [String] = []
        for (index, name) in ["r1", "r2", "r3", "r4"].enumerated() {
            try fs.write("releases/\(name)/app.bin", bytes: 256 << 10)
            let dir = fs.appending("releases/\(name)")
            try ScratchFilesystem.age(dir, by: .seconds((5 - index) * 3600))
            releases.append(dir)
        }
        let globs = [
            try fs.write("tmp/soc-old-1", bytes: 256 << 10, age: .seconds(2 * 3600)),
            try fs.write("tmp/soc-old-2", bytes: 256 << 10, age: .seconds(3 * 3600)),
        ]
        let new = try fs.write("tmp/soc-new", bytes: 256 << 10)
        let unmatched = try fs.write("tmp/other.dat", bytes: 256 << 10, age: .seconds(9 * 3600))

        let outsideDir = fs.directory.appending("outside")
        try FileManager.default.createDirectory(atPath: outsideDir, withIntermediateDirectories: true)
        let secret = outsideDir + "/secret"
        try Data(count: 4096).write(to: URL(fileURLWithPath: secret))
        try ScratchFilesystem.age(secret, by: .seconds(9 * 3600))
        try FileManager.default.createSymbolicLink(atPath: fs.appending("tmp/soc-link"), withDestinationPath: secret)
        try FileManager.default.createSymbolicLink(atPath: fs.appending("tmp/soc-dirlink"), withDestinationPath: outsideDir)
        try ScratchFilesystem.age(fs.appending("tmp/soc-link"), by: .seconds(9 * 3600))

        let inner = fs.appending("tmp/soc-mnt")
        mkdir(inner, 0o755)
        if mount("tmpfs", inner, "tmpfs", 0, "size=1m") == 0 {
            innerMount = inner
            try Data(count: 4096).write(to: URL(fileURLWithPath: inner + "/kept"))
            try ScratchFilesystem.age(inner, by: .seconds(9 * 3600))
        }

        // A running process holds the oldest rotated log open for writing.
        holder = try ProcessHandle(executable: "/bin/sh", arguments: ["-c", "exec 3>>'\(open)'; exec sleep 600"])
        let pid = holder!.pid
        XCTAssertTrue(poll { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)")) == open } == true },
                      "the holder should open \(open)")
        return Layout(
            allowed: Set(allowedLogs + releases[0...1] + globs),
            survivors: [fs.appending("data/fill"), fs.appending(logs + "api.log"), open, releases[2], releases[3], new, unmatched,
                        fs.appending("tmp/soc-link"), fs.appending("tmp/soc-dirlink")] + (innerMount.map { [$0 + "/kept"] } ?? []),
            outside: [secret, outsideDir]
        )
    }

    func reclaimer(_ configuration: LoadedConfiguration) -> DiskReclaimer {
        let active = ["api": ["r4": "active", "r3": "previous"]]
        return DiskReclaimer(configuration: configuration, events: fixture.events, releases: FixedReleaseUsage(inUse: active))
    }

    func testAPassAboveHighFreesOnlyWhatIsAllowedAndGetsBelowLow() async throws {
        let layout = try makeLayout()
        let configuration = try fixture.configuration(high: "70%", low: "45%", clean: "[logs, releases, {glob: \"mnt/tmp/soc-*\", olderThan: 1h}]")
        XCTAssertGreaterThan(fixture.fs.usage.bytes, 0.70)
        let reclaimer = reclaimer(configuration)

        let report = await reclaimer.run(.tick)
        XCTAssertLessThan(fixture.fs.usage.bytes, 0.45, "one pass (well within two intervals) gets below low")
        XCTAssertEqual(Set(report.paths(.deleted)), layout.allowed)
        for path in layout.allowed { XCTAssertFalse(FileManager.default.fileExists(atPath: path), path) }
        for path in layout.survivors + layout.outside {
            var info = stat()
            XCTAssertEqual(lstat(path, &info), 0, "\(path) must survive")
        }
        let log = layout.survivors[2]
        XCTAssertEqual(report.reason(of: log), "open for writing by a running process")
        XCTAssertEqual(report.reason(of: layout.survivors[3]), "release in use (previous)")
        XCTAssertEqual(report.reason(of: layout.survivors[4]), "release in use (active)")
        XCTAssertEqual(report.reason(of: layout.survivors[5]), "newer than olderThan")
        if let innerMount { XCTAssertEqual(report.reason(of: innerMount), "on another filesystem (mount point)") }
        XCTAssertFalse(report.filesystems.flatMap(\.candidates).contains { $0.path.hasSuffix("soc-link") || $0.path.hasSuffix("other.dat") },
                       "symlinks and unmatched files are never candidates")

        let reclaimed = try fixture.recorded(.reclaimed)
        XCTAssertEqual(Set(reclaimed.compactMap { $0.message.split(separator: " ").dropFirst().first.map(String.init) }), layout.allowed)
        XCTAssertEqual(try fixture.recorded(.reclaimPass).count, 1)
        XCTAssertEqual(try fixture.recorded(.reclaimExhausted).count, 0)

        let second = await reclaimer.run(.tick)
        XCTAssertEqual(second.filesystems, [], "below high the watch only reads the filesystem")
    }

    func testDryRunListsExactlyWhatTheRealPassDeletes() async throws {
        let layout = try makeLayout()
        let configuration = try fixture.configuration(high: "70%", low: "45%", clean: "[logs, releases, {glob: \"mnt/tmp/soc-*\", olderThan: 1h}]")
        let reclaimer = reclaimer(configuration)

        let dry = await reclaimer.run(.now(dryRun: true))
        XCTAssertTrue(dry.dryRun)
        XCTAssertEqual(dry.paths(.deleted), [])
        for path in layout.allowed { XCTAssertTrue(FileManager.default.fileExists(atPath: path), "a dry run deleted \(path)") }
        XCTAssertEqual(try fixture.recorded(.reclaimed).count, 0)

        let real = await reclaimer.run(.now(dryRun: false))
        XCTAssertEqual(dry.paths(.wouldDelete), real.paths(.deleted), "same paths, same order")
        XCTAssertEqual(Set(real.paths(.deleted)), layout.allowed)
        XCTAssertEqual(dry.freedBytes, real.freedBytes)
    }

    func testExhaustedIsReportedOncePerCrossingOfTheHighWatermark() async throws {
        let fs = fixture.fs
        try fs.write("data/fill", bytes: 6 << 20)
        try fs.write("tmp/soc-1", bytes: 256 << 10, age: .seconds(7200))
        let configuration = try fixture.configuration(high: "70%", low: "45%", clean: "[{glob: \"mnt/tmp/soc-*\", olderThan: 1h}]")
        let reclaimer = reclaimer(configuration)

        let first = await reclaimer.run(.tick)
        XCTAssertEqual(first.filesystems.map(\.exhausted), [true])
        XCTAssertEqual(first.paths(.deleted), [fs.appending("tmp/soc-1")])
        _ = await reclaimer.run(.tick)
        XCTAssertEqual(try fixture.recorded(.reclaimExhausted).count, 1, "still the same crossing")

        try FileManager.default.removeItem(atPath: fs.appending("data/fill"))
        _ = await reclaimer.run(.tick)
        try fs.write("data/fill", bytes: 6 << 20)
        _ = await reclaimer.run(.tick)
        XCTAssertEqual(try fixture.recorded(.reclaimExhausted).count, 2, "a new crossing is reported again")
    }

    func testAFileReplacedBetweenListingAndDeletingIsKept() throws {
        let fs = fixture.fs
        let path = try fs.write("tmp/soc-1", bytes: 4096, age: .seconds(7200))
        var info = stat()
        lstat(fs.path, &info)
        let scanner = CandidateScanner(root: fs.path, device: UInt64(info.st_dev), now: Int64(time(nil)) * 1_000_000_000)
        let listed = scanner.matches(.init(pattern: fs.path + "/tmp/soc-*", olderThan: .seconds(3600)))
        XCTAssertEqual(listed.map(\.path), [path])

        try FileManager.default.removeItem(atPath: path)
        try fs.write("tmp/soc-1", bytes: 4096, age: .seconds(7200))
        let remover = SafeRemover(root: fs.path, device: UInt64(info.st_dev))
        XCTAssertEqual(remover.remove(listed[0]), .changed)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
    }

    /// A glob broad enough to reach releases and working directories still keeps the releases
    /// in use and any directory that holds a file open for writing.
    func testABroadGlobKeepsReleasesInUseAndDirectoriesWithOpenFiles() async throws {
        let fs = fixture.fs
        try fs.write("data/fill", bytes: 5 << 20)
        for (index, name) in ["r1", "r2", "r3", "r4"].enumerated() {
            try fs.write("releases/\(name)/app.bin", bytes: 256 << 10)
            try ScratchFilesystem.age(fs.appending("releases/\(name)"), by: .seconds((5 - index) * 3600))
        }
        let open = try fs.write("work/job-1/out.log", bytes: 256 << 10)
        try fs.write("work/job-2/out.log", bytes: 256 << 10)
        for job in ["job-1", "job-2"] { try ScratchFilesystem.age(fs.appending("work/\(job)"), by: .seconds(7200)) }
        holder = try ProcessHandle(executable: "/bin/sh", arguments: ["-c", "exec 3>>'\(open)'; exec sleep 600"])
        let pid = holder!.pid
        XCTAssertTrue(poll { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/3")) == open })
        let configuration = try fixture.configuration(high: "70%", low: "10%", clean: "[{glob: \"mnt/releases/*\", olderThan: 1h}, {glob: \"mnt/work/*\", olderThan: 1h}]")

        let report = await reclaimer(configuration).run(.tick)
        XCTAssertEqual(Set(report.paths(.deleted)), Set([fs.appending("releases/r1"), fs.appending("releases/r2"), fs.appending("work/job-2")]))
        XCTAssertEqual(report.reason(of: fs.appending("releases/r4")), "release in use (active)")
        XCTAssertEqual(report.reason(of: fs.appending("releases/r3")), "release in use (previous)")
        XCTAssertEqual(report.reason(of: fs.appending("work/job-1")), "open for writing by a running process")
        XCTAssertTrue(FileManager.default.fileExists(atPath: open))
    }
}
