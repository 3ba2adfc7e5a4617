import Glibc
@testable import VigilSupervisor
import XCTest

/// Which processes a restarted Vigil may stop, decided from a snapshot without processes.
final class OrphanSelectionTests: XCTestCase {
    private let marker = InstanceMarker(value: "web/default/00000000000000aa")

    private func record(pid: pid_t = 100, startTime: UInt64 = 5_000, marker: String? = "web/default/00000000000000aa") -> InstanceRecord {
        InstanceRecord(service: "web", pid: pid, startTime: startTime, marker: marker)
    }

    private func process(_ pid: pid_t, group: pid_t = 100, start: UInt64 = 5_000, zombie: Bool = false) -> OrphanSelection.Process {
        OrphanSelection.Process(pid: pid, processGroup: group, startTicks: start, isZombie: zombie)
    }

    private func verdict(_ record: InstanceRecord, _ processes: [OrphanSelection.Process], marked: Set<pid_t>) -> OrphanSelection.Verdict {
        OrphanSelection.select(records: [record], processes: processes) { pid, candidate in
            candidate == self.marker && marked.contains(pid)
        }[0].verdict
    }

    func testMarkedLeaderAndGroupMembersAreStopped() {
        let selected = verdict(record(), [process(100), process(101, start: 5_100), process(300, group: 300)], marked: [100, 101, 300])
        XCTAssertEqual(selected, .stop([.init(pid: 100, startTicks: 5_000), .init(pid: 101, startTicks: 5_100)]))
    }

    /// The reuse the old check fell for: the recorded pid now leads an unrelated group that
    /// started later (so "a member started at or after the record" holds), without the mark.
    func testAStrangerThatReusedTheLeadersPidIsLeftAlone() {
        XCTAssertEqual(verdict(record(), [process(100, start: 9_000), process(140, start: 9_100)], marked: []), .gone)
        // Even with the exact recorded start time (the old "leader alive" rule), no mark, no signal.
        XCTAssertEqual(verdict(record(), [process(100, start: 5_000)], marked: []), .gone)
    }

    func testOnlyMarkedMembersOfAMixedGroupAreStopped() {
        // The leader is gone; a marked child is left, and an unmarked process joined the group.
        let selected = verdict(record(), [process(101, start: 5_100), process(102, start: 5_200)], marked: [101])
        XCTAssertEqual(selected, .stop([.init(pid: 101, startTicks: 5_100)]))
    }

    func testZombiesAndProcessesOlderThanTheInstanceAreNotStopped() {
        XCTAssertEqual(verdict(record(), [process(100, zombie: true), process(101, start: 4_999)], marked: [100, 101]), .gone)
    }

    func testARecordWithoutAMarkTrustsOnlyItsLeaderWithTheExactStartTime() {
        let legacy = record(marker: nil)
        XCTAssertEqual(verdict(legacy, [process(100), process(101, start: 5_100)], marked: []), .stop([.init(pid: 100, startTicks: 5_000)]))
        XCTAssertEqual(verdict(legacy, [process(100, start: 5_001)], marked: []), .gone)
    }

    func testTheMarkMatchesTheWholeVariableOnly() {
        func environ(_ entries: String...) -> [UInt8] { Array(entries.joined(separator: "\0").utf8) + [0] }
        XCTAssertTrue(marker.isCarried(in: environ("PATH=/bin", "VIGIL_INSTANCE=web/default/00000000000000aa")))
        XCTAssertFalse(marker.isCarried(in: environ("VIGIL_INSTANCE=web/default/00000000000000aab")))
        XCTAssertFalse(marker.isCarried(in: environ("XVIGIL_INSTANCE=web/default/00000000000000aa")))
        XCTAssertFalse(marker.isCarried(in: environ("NOTE=VIGIL_INSTANCE=web/default/00000000000000aa")))
        XCTAssertFalse(marker.isCarried(in: []))
    }

    func testFreshMarksNameTheInstanceAndDiffer() {
        let first = InstanceMarker.fresh(service: "api", color: "blue")
        XCTAssertTrue(first.value.hasPrefix("api/blue/"))
        XCTAssertEqual(first.value.count, "api/blue/".count + 16)
        XCTAssertNotEqual(first, InstanceMarker.fresh(service: "api", color: "blue"))
    }
}
