import VigilReclaim
import XCTest

/// The planner alone: readings and candidate lists in, decisions out, no filesystem.
final class ReclaimPlannerTests: XCTestCase {
    /// 100 units of space, 100 inodes; `used` of each.
    func usage(bytes used: UInt64, inodes: UInt64 = 10) -> FilesystemUsage {
        FilesystemUsage(usedBytes: used, availableBytes: 100 - used, usedInodes: inodes, availableInodes: 100 - inodes)
    }

    func file(_ name: String, _ kind: ReclaimKind = .logs, bytes: UInt64 = 5, inodes: UInt64 = 1, inode: UInt64? = nil, kept: KeepReason? = nil) -> ReclaimCandidate {
        ReclaimCandidate(path: "/w/\(name)", kind: kind, bytes: bytes, inodes: inodes,
                         identity: FileIdentity(device: 1, inode: inode ?? UInt64(abs(name.hashValue) % 1_000_000)),
                         modified: 0, keptBecause: kept)
    }

    let planner = ReclaimPlanner(high: 0.9, low: 0.8)

    func testAboveHighDeletesInOrderUntilBelowLowAndKeepsTheRest() {
        let candidates = [file("a"), file("b"), file("c"), file("d", .glob)]
        let plan = planner.plan(usage: usage(bytes: 92), candidates: candidates, openForWriting: [])
        XCTAssertTrue(plan.aboveHigh)
        // 92 -> 87 -> 82 -> 77: three files bring it below 80.
        XCTAssertEqual(plan.deletions.map(\.path), ["/w/a", "/w/b", "/w/c"])
        XCTAssertEqual(plan.decisions.last?.action, .keep(.lowWatermarkReached))
        XCTAssertEqual(plan.projected.usedBytes, 77)
        XCTAssertFalse(plan.exhausted)
    }

    func testAtOrBelowHighNothingIsDeleted() {
        let plan = planner.plan(usage: usage(bytes: 90), candidates: [file("a"), file("b")], openForWriting: [])
        XCTAssertFalse(plan.aboveHigh)
        XCTAssertEqual(plan.deletions, [])
        XCTAssertEqual(plan.decisions.map(\.action), [.keep(.belowHighWatermark), .keep(.belowHighWatermark)])
    }

    func testMarkedAndOpenFilesAreSkippedAndTheNextOnesGoInstead() {
        let open = file("open", inode: 7)
        let active = file("r1", .releases, bytes: 50, kept: .releaseInUse("active"))
        let plan = planner.plan(usage: usage(bytes: 95), candidates: [open, active, file("x", bytes: 20)], openForWriting: [FileIdentity(device: 1, inode: 7)])
        XCTAssertEqual(plan.decisions.map(\.action), [.keep(.openForWriting), .keep(.releaseInUse("active")), .delete])
        XCTAssertEqual(plan.projected.usedBytes, 75)
    }

    func testExhaustedWhenEverythingAllowedIsNotEnough() {
        let plan = planner.plan(usage: usage(bytes: 99), candidates: [file("a"), file("b", kept: .tooNew)], openForWriting: [])
        XCTAssertEqual(plan.deletions.map(\.path), ["/w/a"])
        XCTAssertTrue(plan.exhausted, "94% is still above 90% with nothing else allowed")
    }

    func testInodesAboveHighAloneTriggerAndCountTowardsLow() {
        // Bytes are fine (10%), inodes are at 95%: each directory frees 10 inodes.
        let dirs = (0..<5).map { file("d\($0)", .glob, bytes: 1, inodes: 10) }
        let plan = planner.plan(usage: usage(bytes: 10, inodes: 95), candidates: dirs, openForWriting: [])
        XCTAssertTrue(plan.aboveHigh)
        // 95 -> 85 -> 75.
        XCTAssertEqual(plan.deletions.count, 2)
        XCTAssertEqual(plan.projected.usedInodes, 75)
    }

    func testPruneDeletesEveryUnmarkedReleaseWhateverTheWatermark() {
        let releases = [file("r1", .releases), file("r2", .releases, kept: .withinKeep(2)), file("r3", .releases, kept: .releaseInUse("previous"))]
        let plan = ReclaimPlanner.prune(releases, openForWriting: [], usage: usage(bytes: 10))
        XCTAssertEqual(plan.deletions.map(\.path), ["/w/r1"])
        XCTAssertFalse(plan.exhausted)
    }
}
