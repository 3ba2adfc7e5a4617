import Foundation
import VigilSupervisor
@testable import VigilTelemetry
import XCTest

/// Reading /proc and turning CPU readings into a counter that never goes down.
final class ProcessUsageTests: XCTestCase {
    func testStatParsingSurvivesACommandNameWithSpacesAndParentheses() throws {
        // Fields 3-24 of proc(5), after a comm of "a) (b c".
        let line = "4242 (a) (b c) S 1 4240 4240 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 12345 2048000 300 18446744073709551615"
        let stat = try XCTUnwrap(ProcStat.parse(line))
        XCTAssertEqual(stat.processGroup, 4240)
        XCTAssertEqual(stat.userTicks, 250)
        XCTAssertEqual(stat.systemTicks, 50)
        XCTAssertEqual(stat.childUserTicks, 7)
        XCTAssertEqual(stat.childSystemTicks, 3)
        XCTAssertEqual(stat.startTicks, 12345)
        XCTAssertEqual(stat.virtualBytes, 2_048_000)
        XCTAssertEqual(stat.residentPages, 300)
        XCTAssertNil(ProcStat.parse("4242 (cut short) S 1"))
    }

    func testGroupUsageSumsTheMembersOfThisTestsProcessGroup() throws {
        let group = getpgrp()
        let usage = try XCTUnwrap(ProcessGroupUsage.read(groups: [group])[group])
        let own = try XCTUnwrap(ProcStat.read("self"))
        XCTAssertGreaterThanOrEqual(usage.residentBytes, own.residentBytes / 2, "at least this process (its RSS moves between reads)")
        XCTAssertGreaterThan(usage.cpuSeconds, 0)
        XCTAssertEqual(ProcessGroupUsage.read(groups: []), [:])
        XCTAssertNil(ProcessGroupUsage.read(groups: [Int32.max])[Int32.max], "no such group")
    }

    func testProcFileReadsPastItsFirstBufferToTheEnd() throws {
        // /proc/self/maps of a test process with Foundation and XCTest loaded is far over 4 KiB,
        // as /proc/stat is on a host with many CPUs (where `btime` comes after the long `intr` line).
        let maps = try XCTUnwrap(ProcFile.read("/proc/self/maps"))
        XCTAssertGreaterThan(maps.utf8.count, 4096)
        XCTAssertTrue(maps.hasSuffix("\n"), "the last line is whole")
        XCTAssertEqual(maps.split(separator: "\n").filter { $0.hasSuffix("[stack]") }.count, 1, "the stack mapping, near the end, is there")
        XCTAssertNil(ProcFile.read("/proc/\(Int32.max)/statm"), "no such process")
    }

    func testCPUTotalAddsNewTimeOnlyAndCountsANewProcessFromZero() {
        var total = CPUTotal()
        XCTAssertEqual(total.advance(pid: nil, reading: nil), 0, "no process yet")
        XCTAssertEqual(total.advance(pid: 100, reading: 1.5), 1.5, "a first reading is all new time")
        XCTAssertEqual(total.advance(pid: 100, reading: 2.0), 0.5)
        XCTAssertEqual(total.advance(pid: 100, reading: 1.8), 0, "a member left with its time: nothing added")
        XCTAssertEqual(total.advance(pid: 100, reading: 2.25), 0.25, "counts again once past the last reading")
        XCTAssertEqual(total.advance(pid: nil, reading: nil), 0, "between restarts")
        XCTAssertEqual(total.advance(pid: 200, reading: 0.25), 0.25, "a restarted instance's time is added on top")
    }
}
