import Foundation
import VigilReclaim
import VigilTestKit
import XCTest

/// A filesystem can be full of inodes with bytes to spare (many small files): the watch reads
/// both, on a loop-mounted ext4 image made with very few inodes.
final class InodeExhaustionTests: XCTestCase {
    func testInodeExhaustionIsDetectedAndRelieved() async throws {
        let fixture = try ReclaimFixture(fs: try ScratchFilesystem.ext4(megabytes: 16, inodes: 64))
        defer { fixture.close() }
        let fs = fixture.fs
        try FileManager.default.createDirectory(atPath: fs.appending("cache"), withIntermediateDirectories: true)
        var made = 0
        while FileManager.default.createFile(atPath: fs.appending("cache/item-\(made)"), contents: Data("x".utf8)) {
            try ScratchFilesystem.age(fs.appending("cache/item-\(made)"), by: .seconds(7200))
            made += 1
            if made > 10_000 { break }
        }
        XCTAssertGreaterThan(made, 10, "the image should hold some files before running out of inodes")
        XCTAssertGreaterThan(fs.usage.inodes, 0.99, "every inode is used")
        XCTAssertLessThan(fs.usage.bytes, 0.5, "while bytes are plentiful")

        let configuration = try fixture.configuration(high: "90%", low: "50%", clean: "[{glob: \"mnt/cache/item-*\", olderThan: 1h}]")
        let reclaimer = DiskReclaimer(configuration: configuration, events: fixture.events, releases: FixedReleaseUsage(inUse: [:]))
        let report = await reclaimer.run(.tick)
        XCTAssertEqual(report.filesystems.map(\.aboveHigh), [true])
        XCTAssertLessThan(fs.usage.inodes, 0.5, "inodes freed to below the low watermark")
        XCTAssertGreaterThan(report.paths(.deleted).count, 0)
        XCTAssertGreaterThan(report.paths(.kept).count, 0, "it stops at the low watermark instead of deleting every match")
        XCTAssertTrue(FileManager.default.createFile(atPath: fs.appending("cache/new"), contents: Data("y".utf8)), "new files can be created again")
    }
}
