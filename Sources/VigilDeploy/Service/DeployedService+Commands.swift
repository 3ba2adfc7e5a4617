import Foundation
import VigilManifest
import VigilSupervisor

// What operators ask for: deploy, promote, rollback, history (control API and CLI).
extension DeployedService {
    /// `vigil deploy`: rolls a new revision (the manifest's spec plus `request`) out to the idle color.
    ///
    /// - Throws: ``DeployError``: `.badRequest` for a bad `--env` or `--release`, `.conflict` when
    ///   a rollout is already running or the service is stopped; `.badRequest` too for an `--env`
    ///   name the manifest's `deploy.overridableEnv` does not list, whoever asks.
    public func deploy(_ request: RevisionRequest) async throws -> RolloutStarted {
        do {
            try request.checkOverridable(by: loaded.spec)
        } catch {
            throw DeployError(.badRequest, error.description)
        }
        return try await started(send(.deploy(request, trigger: .deploy)))
    }

    /// `vigil promote`: skips the remaining pauses and steps of the rollout in progress.
    public func promote() async throws -> RolloutStarted {
        try await started(send(.promote))
    }

    /// `vigil promote --step`: ends the pause the rollout waits at; its next steps run.
    ///
    /// - Throws: ``DeployError`` `.conflict` unless a rollout is paused for the operator.
    public func resume() async throws -> RolloutStarted {
        try await started(send(.resume))
    }

    /// `vigil rollback`: traffic back to the old color at once during a rollout or while the old
    /// color is warm; after that, a fast rollout (no analysis, no pauses) of the previous revision.
    public func rollback() async throws -> RolloutStarted {
        try await started(send(.rollback))
    }

    /// `vigil history`: what is active, then rollouts and revisions, newest first.
    public func history(limit: Int = 50) throws -> HistoryReport {
        let active = try machine.deployment ?? store.deployment(service: name)
        return HistoryReport(
            service: name,
            active: try active.map { .init(color: $0.activeColor.rawValue, revision: $0.activeRevision, version: try revision($0.activeRevision)?.version) },
            rollouts: try store.rollouts(service: name, limit: limit),
            revisions: try store.revisions(service: name)
        )
    }

    private func started(_ outcome: CommandOutcome) throws -> RolloutStarted {
        guard case .started(let rollout) = outcome else { throw DeployError(.conflict, "no rollout of \(name) was started") }
        return RolloutStarted(rollout: rollout, version: try revision(rollout.revision)?.version)
    }

    /// Runs a command on the queue, against the machine's state at that moment.
    func perform(_ command: Command) async throws -> CommandOutcome {
        guard let deployment = machine.deployment else { throw DeployError.stopped(name) }
        let inProgress = machine.activeRollout
        switch command {
        case .deploy(let request, let trigger):
            if let inProgress { throw DeployError.inProgress(inProgress) }
            let revision: Revision
            do {
                revision = try Revision(spec: loaded.spec, request: request)
            } catch {
                throw DeployError(.badRequest, "\(error)")
            }
            if let dir = revision.releaseDir, !FileManager.default.fileExists(atPath: dir) {
                throw DeployError(.badRequest, "release directory \(dir) does not exist; unpack the release there first or pick another --release")
            }
            try remember(revision)
            return .started(try await begin(revision, trigger: trigger, fast: false))

        case .promote:
            guard let inProgress else { throw DeployError(.conflict, "no rollout of \(name) is in progress; nothing to promote") }
            switch inProgress.phase {
            case .draining, .warm: throw DeployError(.conflict, "rollout \(inProgress.id) is already promoted (phase \(inProgress.phase.rawValue))")
            case .rollingBack: throw DeployError(.conflict, "rollout \(inProgress.id) is rolling back: \(inProgress.reason ?? "")")
            default: break
            }
            await handle(.promote)
            return .started(machine.rollout ?? inProgress)

        case .resume:
            guard let inProgress, inProgress.phase == .paused else {
                let phase = inProgress.map { "rollout \($0.id) is \($0.phase.rawValue)" } ?? "no rollout of \(name) is in progress"
                throw DeployError(.conflict, "\(phase), not paused; nothing to resume (`vigil promote \(name)` without --step skips every remaining step)")
            }
            await handle(.resume)
            return .started(machine.rollout ?? inProgress)

        case .rollback:
            if let inProgress {
                if inProgress.phase == .rollingBack {
                    throw DeployError(.conflict, "rollout \(inProgress.id) is already rolling back: \(inProgress.reason ?? "")")
                }
                await handle(.rollback(reason: "rolled back by operator"))
                return .started(machine.rollout ?? inProgress)
            }
            guard let previousID = deployment.previousRevision, let previous = try revision(previousID) else {
                throw DeployError(.conflict, "nothing to roll back to: \(name) has only run \(deployment.activeRevision) since it was first deployed")
            }
            return .started(try await begin(previous, trigger: .rollback, fast: true))

        case .restart:
            if let inProgress { throw DeployError.inProgress(inProgress) }
            guard let active = try revision(deployment.activeRevision) else {
                throw DeployError(.conflict, "the active revision \(deployment.activeRevision) is not in vigil.db; deploy a new one")
            }
            return .started(try await begin(active, trigger: .restart, fast: false))

        case .update(let new):
            loaded = new
            if let newDeploy = new.spec.deploy { deploy = newDeploy }
            guard let active = try revision(deployment.activeRevision) else { return .done }
            guard let next = try? Revision(spec: new.spec, request: active.request), next.id != active.id else { return .done }
            if let inProgress {
                if inProgress.revision != next.id {
                    reloadPending = true
                    note("manifest changed; \(next.id) rolls out after rollout \(inProgress.id) ends")
                }
                return .done
            }
            try remember(next)
            return .started(try await begin(next, trigger: .reload, fast: false))
        }
    }

    /// Starts a rollout of `revision` and returns its first record.
    private func begin(_ revision: Revision, trigger: RolloutTrigger, fast: Bool) async throws -> RolloutRecord {
        let id = "ro-" + String(UInt32.random(in: 0...UInt32.max), radix: 16).leftPadded(to: 8)
        let label = revision.version.map { "\(revision.id) (\($0))" } ?? revision.id
        try await endFailover(beforeRollout: label)
        await handle(.begin(RolloutRequest(id: id, revision: revision.id, label: label, trigger: trigger, fast: fast), plan: plan(for: revision)))
        return machine.rollout!
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
