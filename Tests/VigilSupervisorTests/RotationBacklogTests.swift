import XCTest

@testable import VigilSupervisor

/// The slot rule of compressed logs, without files or threads: a rotation never leaves more than
/// `keep` rotated files (waiting, being compressed, or `.gz`), whatever the compressor's pace.
final class RotationBacklogTests: XCTestCase {
    private let start = ContinuousClock.now

    private func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }
    private func slots(_ backlog: RotationBacklog) -> Int {
        backlog.waiting.count + (backlog.compressing == nil ? 0 : 1) + backlog.compressed
    }

    func testOldestCompressedGoesFirstWhenARotationNeedsItsSlot() {
        var backlog = RotationBacklog(keep: 3, compressed: 3)
        XCTAssertEqual(backlog.rotated("a", compressedOnDisk: 3, at: at(0)), [.trimCompressed(keepingUpTo: 2)])
        XCTAssertEqual(backlog.startNext(), "a")
        XCTAssertEqual(backlog.finished(compressedOnDisk: 3, failed: false, at: at(0)), [])
        XCTAssertTrue(backlog.isIdle)
        XCTAssertNil(backlog.lastDrop)
    }

    func testACompressorThatFallsBehindDropsTheOldestWaitingFileOncePerEpisode() {
        var backlog = RotationBacklog(keep: 3, compressed: 2)
        XCTAssertEqual(backlog.rotated("r1", compressedOnDisk: 2, at: at(0)), [])
        XCTAssertEqual(backlog.startNext(), "r1")
        // The writer rotates four more times while r1 is compressed.
        XCTAssertEqual(backlog.rotated("r2", compressedOnDisk: 2, at: at(0)), [.trimCompressed(keepingUpTo: 1)])
        XCTAssertEqual(backlog.rotated("r3", compressedOnDisk: 1, at: at(0)), [.trimCompressed(keepingUpTo: 0)])
        XCTAssertEqual(backlog.rotated("r4", compressedOnDisk: 0, at: at(0)), [.drop("r2", startsEpisode: true)])
        XCTAssertEqual(backlog.rotated("r5", compressedOnDisk: 0, at: at(0)), [.drop("r3", startsEpisode: false)])
        XCTAssertEqual(slots(backlog), 3)
        XCTAssertEqual(backlog.waiting, ["r4", "r5"])
        // The compressor catches up for a moment: the drops that follow within 30 s are the same episode.
        XCTAssertEqual(backlog.finished(compressedOnDisk: 1, failed: false, at: at(1)), [])
        XCTAssertEqual(backlog.startNext(), "r4")
        XCTAssertEqual(backlog.finished(compressedOnDisk: 2, failed: false, at: at(2)), [])
        XCTAssertEqual(backlog.startNext(), "r5")
        XCTAssertEqual(backlog.finished(compressedOnDisk: 3, failed: false, at: at(3)), [])
        XCTAssertTrue(backlog.isIdle)
        XCTAssertEqual(backlog.rotated("r6", compressedOnDisk: 3, at: at(4)), [.trimCompressed(keepingUpTo: 2)])
        XCTAssertEqual(backlog.startNext(), "r6")
        _ = backlog.rotated("r7", compressedOnDisk: 2, at: at(5))
        _ = backlog.rotated("r8", compressedOnDisk: 1, at: at(5))
        XCTAssertEqual(backlog.rotated("r9", compressedOnDisk: 0, at: at(20)), [.drop("r7", startsEpisode: false)])
        // 30 s without a drop: the next one is a new episode.
        XCTAssertEqual(backlog.rotated("r10", compressedOnDisk: 0, at: at(51)), [.drop("r8", startsEpisode: true)])
    }

    func testWithKeepOneTheRotationWaitingBehindTheRunningCompressionIsDropped() {
        var backlog = RotationBacklog(keep: 1, compressed: 0)
        _ = backlog.rotated("a", compressedOnDisk: 0, at: at(0))
        XCTAssertEqual(backlog.startNext(), "a")
        XCTAssertEqual(backlog.rotated("b", compressedOnDisk: 0, at: at(0)), [.drop("b", startsEpisode: true)])
        XCTAssertEqual(slots(backlog), 1)
        XCTAssertNil(backlog.startNext(), "one compression at a time")
    }

    func testAFailedCompressionDropsItsSource() {
        var backlog = RotationBacklog(keep: 2, compressed: 0)
        _ = backlog.rotated("a", compressedOnDisk: 0, at: at(0))
        _ = backlog.startNext()
        XCTAssertEqual(backlog.finished(compressedOnDisk: 0, failed: true, at: at(0)), [.drop("a", startsEpisode: true)])
        XCTAssertTrue(backlog.isIdle)
    }

    func testSlotsNeverExceedKeepUnderAnyInterleaving() {
        var generator = SplitMix64(seed: 7)
        for keep in 1...4 {
            var backlog = RotationBacklog(keep: keep, compressed: 0)
            var onDisk = 0
            for step in 0..<2000 {
                switch generator.next() % 3 {
                case 0:
                    for action in backlog.rotated("r\(step)", compressedOnDisk: onDisk, at: at(0)) {
                        if case .trimCompressed(let upTo) = action { onDisk = min(onDisk, upTo) }
                    }
                case 1:
                    _ = backlog.startNext()
                default:
                    if backlog.compressing != nil {
                        onDisk += 1
                        _ = backlog.finished(compressedOnDisk: onDisk, failed: false, at: at(0))
                    }
                }
                XCTAssertLessThanOrEqual(slots(backlog), keep, "keep \(keep), step \(step)")
                XCTAssertLessThanOrEqual(onDisk, keep)
            }
        }
    }
}
