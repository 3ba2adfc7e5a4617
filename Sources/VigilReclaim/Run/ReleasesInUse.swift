import VigilDeploy

/// Which release directories a service needs kept, asked of the rollout store at each pass.
public protocol ReleaseUsage: Sendable {
    /// Release names (directories under `releases.dir`) of `service` in use, with what uses each.
    func releasesInUse(service: String) -> [String: String]
}

/// The rollout store's answer: the active revision (which a warm standby runs too), the previous
/// one (what a rollback goes back to), and both revisions of a rollout still in progress.
public struct RolloutReleaseUsage: ReleaseUsage {
    let store: RolloutStore

    public init(store: RolloutStore) {
        self.store = store
    }

    public func releasesInUse(service: String) -> [String: String] {
        guard let deployment = try? store.deployment(service: service) else { return [:] }
        var uses: [(String?, String)] = [(deployment.activeRevision, "active"), (deployment.previousRevision, "previous")]
        if let rollout = deployment.rollout, rollout.finishedAt == nil {
            uses += [(rollout.revision, "rollout in progress"), (rollout.previousRevision, "rollout in progress")]
        }
        var inUse: [String: String] = [:]
        for case (let id?, let use) in uses {
            guard let release = (try? store.revision(service: service, id: id))??.request.release, inUse[release] == nil else { continue }
            inUse[release] = use
        }
        return inUse
    }
}
