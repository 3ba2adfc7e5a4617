import Foundation
import VigilSupervisor

/// Where the devops agent reads Vigil's events from.
///
/// The production source is ``CurlEventSource`` (the control API over its Unix socket or HTTP);
/// tests inject events through their own conformances.
public protocol EventSource: Sendable {
    /// Where the events come from, for the agent's findings ("unix:/run/vigil/control.sock").
    var location: String { get }
    /// Events at or after `since`, oldest first. Throws when Vigil cannot be reached.
    func events(since: Date) async throws -> [SupervisorEvent]
}
