import VigilSupervisor
import VigilTelemetry
import XCTest

final class ServiceStatusSummaryTests: XCTestCase {
    private func report(_ states: [String]) -> StatusReport {
        StatusReport(services: states.enumerated().map { index, state in
            ServiceStatus(name: "s\(index)", state: state, activeColor: nil, revision: nil, version: nil, instances: [], rollout: nil)
        })
    }

    func testCountsServicesByStateInLifecycleOrder() {
        let states = Array(repeating: "ready", count: 11) + ["backoff"]
        XCTAssertEqual(ServiceStatusSummary.line(for: report(states)), "12 services: 11 ready, 1 backoff")
        XCTAssertEqual(
            ServiceStatusSummary.line(for: report(["crashloop", "ready", "starting", "ready", "stopped"])),
            "5 services: 1 stopped, 1 starting, 2 ready, 1 crashloop"
        )
    }

    func testSingularEmptyAndUnknownStates() {
        XCTAssertEqual(ServiceStatusSummary.line(for: report(["ready"])), "1 service: 1 ready")
        XCTAssertEqual(ServiceStatusSummary.line(for: report([])), "no services")
        XCTAssertEqual(ServiceStatusSummary.line(for: report(["zeta", "ready", "alpha"])), "3 services: 1 ready, 1 alpha, 1 zeta")
    }

    func testNotifyMessagesAreSingleDatagramsWithOneLineStatus() {
        XCTAssertEqual(NotifyMessage([.ready, .status("2 services:\n2 ready")]).text, "READY=1\nSTATUS=2 services: 2 ready")
        XCTAssertEqual(NotifyMessage([.reloading(monotonicMicroseconds: 42)]).text, "RELOADING=1\nMONOTONIC_USEC=42")
        XCTAssertEqual(NotifyMessage([.stopping, .watchdog]).text, "STOPPING=1\nWATCHDOG=1")
        let before = NotifyMessage.monotonicMicroseconds()
        guard case .reloading(let stamp) = NotifyMessage.reloadingNow() else { return XCTFail("not a reloading assignment") }
        XCTAssertGreaterThanOrEqual(stamp, before)
    }
}
