import Foundation
import VigilSupervisor
import VigilTestKit
import XCTest

/// Assertions the rollout integration tests share: who serves, what was recorded, what runs.
extension BlueGreenHarness {
    /// `count` fresh requests through the router all succeed and all come from `version`.
    func assertServes(_ version: String, requests count: Int = 200, file: StaticString = #filePath, line: UInt = #line) {
        let result = batch(count)
        XCTAssertEqual(result.failed, 0, "after the rollout: \(result.failureSummary)", file: file, line: line)
        XCTAssertEqual(result.byVersion, [version: count], "every request is answered by \(version)", file: file, line: line)
    }

    /// Once the rollout is over: one revision is active in `vigil status --json` with
    /// `version`, its color's instance is ready, and exactly one fixture process runs — that
    /// instance's — of the active color and version. Waits for the old color to be stopped.
    @discardableResult
    func assertSettled(on version: String, timeout: Duration = .seconds(90), file: StaticString = #filePath, line: UInt = #line) -> ServiceStatus? {
        let settled = waitForStatus(timeout: timeout) { status in
            let finished = status.rollout.map { ["completed", "rolled_back", "aborted"].contains($0.phase) } ?? true
            return finished && status.hasReadyActiveInstance && fixtures.count == 1
        }
        guard let status = settled else {
            let last = (try? self.status()).map { "\($0)" } ?? "no status"
            XCTFail("the service did not settle on one process: status \(last); processes \(fixtures)\n\(vigil.output.suffix(4000))", file: file, line: line)
            return nil
        }
        // The manifest's own revision has no version label: status shows null for it.
        XCTAssertEqual(status.version ?? firstVersion, version, "status --json: \(status)", file: file, line: line)
        let active = status.instances.filter { $0.color == status.activeColor }
        XCTAssertEqual(active.count, 1, "one instance of the active color: \(status.instances)", file: file, line: line)
        XCTAssertEqual(active.first?.ready, true, "the active instance is ready: \(status.instances)", file: file, line: line)
        let running = fixtures
        XCTAssertEqual(running.count, 1, "exactly one fixture process: \(running)", file: file, line: line)
        XCTAssertEqual(running.first?.pid, active.first?.pid, "the one process is the active instance: \(running) vs \(status.instances)", file: file, line: line)
        XCTAssertEqual(running.first?.color, status.activeColor, file: file, line: line)
        XCTAssertEqual(running.first?.version, version, file: file, line: line)
        return status
    }

    /// The newest rollout in `vigil history --json`.
    func lastRollout(file: StaticString = #filePath, line: UInt = #line) -> HistoryRollout? {
        do {
            let rollouts = try history()
            // Newest first is the documented order; pick by id order defensively is impossible
            // (ids are random), so take the first and let the caller check its revision.
            guard let last = rollouts.first else {
                XCTFail("vigil history lists no rollout", file: file, line: line)
                return nil
            }
            return last
        } catch {
            XCTFail("vigil history --json: \(error)", file: file, line: line)
            return nil
        }
    }

    /// The newest rollout ended `rolled_back` with a reason containing `reasonFragment`, and the
    /// event log has a `rolled_back` event saying the same.
    func assertRolledBack(because reasonFragment: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let rollout = lastRollout(file: file, line: line) else { return }
        XCTAssertEqual(rollout.result, "rolled_back", "\(rollout)", file: file, line: line)
        XCTAssertEqual(rollout.phase, "rolled_back", "\(rollout)", file: file, line: line)
        XCTAssertTrue(rollout.reason?.contains(reasonFragment) == true, "history reason '\(rollout.reason ?? "none")' should mention '\(reasonFragment)'", file: file, line: line)
        let events = (try? vigil.events(service: service)) ?? []
        let rolledBack = events.filter { $0.kind == .rolledBack }
        XCTAssertTrue(rolledBack.contains { $0.message.contains(reasonFragment) }, "a rolled_back event says '\(reasonFragment)': \(rolledBack.map(\.message))", file: file, line: line)
    }

    /// `text` mentions each of `phases` in this order (how `deploy --wait` streams them).
    func assertStreamed(_ phases: [String], in text: String, file: StaticString = #filePath, line: UInt = #line) {
        var rest = text[...]
        for phase in phases {
            guard let found = rest.range(of: phase) else {
                XCTFail("deploy --wait should stream '\(phase)' after \(phases.prefix { $0 != phase }); output:\n\(text)", file: file, line: line)
                return
            }
            rest = rest[found.upperBound...]
        }
    }
}

extension ServiceStatus {
    /// The active color has an instance that is ready.
    var hasReadyActiveInstance: Bool {
        instances.contains { $0.color == activeColor && $0.ready }
    }
}
