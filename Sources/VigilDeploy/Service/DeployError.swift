import VigilManifest

/// Why a deploy, promote or rollback was refused, worded for the operator. The control API
/// answers `.badRequest` with 400 and `.conflict` with 409.
public struct DeployError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The request itself is wrong (a bad `--env`, a missing release).
        case badRequest
        /// The service is not in a state that allows it (a rollout running, nothing to promote).
        case conflict
    }

    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    static func inProgress(_ rollout: RolloutRecord) -> DeployError {
        DeployError(.conflict, "a rollout of \(rollout.service) is already in progress (\(rollout.id), \(rollout.revision), phase \(rollout.phase.rawValue)); wait, `vigil promote \(rollout.service)` or `vigil rollback \(rollout.service)`")
    }

    static func stopped(_ service: String) -> DeployError {
        DeployError(.conflict, "\(service) is stopped; `vigil start \(service)` first")
    }
}
