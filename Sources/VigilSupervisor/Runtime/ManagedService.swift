import Foundation
import VigilManifest

/// One supervised service as the ``Supervisor`` sees it.
///
/// A plain service is one ``InstanceRunner``; a service with a `deploy` section is owned by the
/// rollout layer (VigilDeploy), which runs a runner per color behind a router. The supervisor
/// starts, stops, restarts, reports and reloads both the same way and never needs to know which
/// one it holds.
public protocol ManagedService: AnyObject, Sendable {
    var name: String { get }
    /// Starts the service (for a deployed one: its recorded active revision on its color).
    func start() async
    /// Stops every process of the service and returns once their process groups are gone.
    func stopAndWait() async
    /// `vigil restart`: a plain service restarts its process; a deployed one rolls the same
    /// revision out again, so there is no downtime.
    func restart(reason: String) async
    /// `readingUsage: false` leaves memory and CPU nil and skips reading them from /proc.
    func status(readingUsage: Bool) async -> ServiceStatus
    /// A reload changed this service's spec. Returns true when the service applied the change
    /// itself (a deployed service rolls the new spec out); false asks the supervisor to stop it
    /// and start a new one from the new spec.
    func update(to loaded: LoadedService) async -> Bool
}

extension ManagedService {
    public func status() async -> ServiceStatus { await status(readingUsage: true) }
}

/// Builds the managed service for a spec the rollout layer owns; nil means a plain service.
public typealias ManagedServiceFactory = @Sendable (LoadedService, SupervisorResources) -> (any ManagedService)?

/// A service without a deploy section: exactly one instance, color `default`. (Given a deploy
/// section without a rollout layer, as in module tests, it runs the blue color on its port.)
final class PlainService: ManagedService {
    let name: String
    let runner: InstanceRunner

    init(_ loaded: LoadedService, resources: SupervisorResources) {
        name = loaded.spec.name
        let (color, port): (String, UInt16?) = loaded.spec.deploy.map { ("blue", $0.ports[.blue]) } ?? ("default", loaded.spec.port)
        runner = InstanceRunner.make(loaded: loaded, spec: loaded.spec, color: color, port: port, resources: resources)
    }

    func start() async { await runner.send(.start) }
    func stopAndWait() async { await runner.stopAndWait() }
    func restart(reason: String) async { await runner.send(.restart(reason: reason)) }
    func update(to loaded: LoadedService) async -> Bool { false }

    func status(readingUsage: Bool) async -> ServiceStatus {
        let instance = await runner.snapshot(readingUsage: readingUsage)
        return ServiceStatus(
            name: name, state: instance.state, activeColor: runner.color == "default" ? nil : runner.color, revision: nil,
            version: runner.spec.env["VERSION"], instances: [instance], rollout: nil
        )
    }
}
