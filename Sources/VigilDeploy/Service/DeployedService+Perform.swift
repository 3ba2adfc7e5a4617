import Foundation
import VigilManifest
import VigilSupervisor

// The queue's consumer: feeds the machine and performs what it returns.
extension DeployedService {
    func process(_ input: Input) async {
        guard running else {
            if case .command(_, let reply?) = input { reply.resume(throwing: DeployError.stopped(name)) }
            return
        }
        switch input {
        case .machine(let event):
            await handle(event)
        case .observed(let color, let runnerID, let status):
            guard let runner = runners[color], ObjectIdentifier(runner) == runnerID else { return }
            if let observation = observation(of: color, status) {
                await handle(.instance(color, observation))
            }
        case .command(let command, let reply):
            do {
                let outcome = try await perform(command)
                reply?.resume(returning: outcome)
            } catch {
                reply?.resume(throwing: error)
            }
        case .standbyCheck:
            break
        }
        if running {
            await reviewStandby()
            await refreshFallback()
        }
        // `handle` may have awaited a stop: a stopped service starts no rollout (the next start
        // rolls the manifest out anyway).
        if running, reloadPending, machine.activeRollout == nil, machine.deployment != nil {
            reloadPending = false
            _ = try? await perform(.update(loaded))
        }
    }

    /// Hands one event to the machine and performs its actions in order. A refused
    /// `applyWeights` skips the rest of the list and becomes `.routerFailed`.
    func handle(_ event: RolloutStateMachine.Event) async {
        var pending = [event]
        while !pending.isEmpty, running {
            let actions = machine.handle(pending.removeFirst(), at: Date())
            for action in actions {
                guard running else { return }
                if let failure = await perform(action) {
                    pending.append(.routerFailed(failure))
                    break
                }
            }
        }
    }

    /// Performs one action; returns the router's error when weights could not be applied.
    private func perform(_ action: RolloutStateMachine.Action) async -> String? {
        switch action {
        case .persist(let record):
            do {
                try store.persist(record)
            } catch {
                // Acting without a record is better than freezing a service mid-rollout; the
                // operator learns that a restart now would resume from an earlier step.
                note("cannot record the rollout step in vigil.db: \(error); going on without it (a restart of Vigil now resumes from the last recorded step)")
            }
            metrics.active(record.activeColor)
        case .startColor(let color, let revisionID):
            await withdrawFallback(color)
            await startColor(color, revisionID: revisionID)
        case .stopColor(let color):
            await withdrawFallback(color)
            stopColor(color)
        case .applyWeights(let weights):
            // Without a router (it could not start, and said so) there is no traffic to move.
            do {
                try await applyRouting(weights)
            } catch {
                return "\(error)"
            }
        case .schedule(let timer, let delay):
            timers[timer.kind]?.cancel()
            let inputs = self.inputs
            timers[timer.kind] = Task {
                try? await Task.sleep(for: delay)
                guard !Task.isCancelled else { return }
                inputs?.yield(.machine(.timerFired(timer)))
            }
        case .analyze(let color, let stage, let window, let generation):
            analyze(color, stage: stage, window: window, generation: generation)
        case .watchDrain(let color, let generation):
            watchDrain(color, generation: generation)
        case .record(let kind, let color, let reason, let message):
            resources.events.record(SupervisorEvent(service: name, color: color?.rawValue, kind: kind, reason: reason, message: message))
        case .finished(let result, _):
            metrics.rolloutFinished(result)
            timers.values.forEach { $0.cancel() }
            timers.removeAll()
        }
        return nil
    }

    /// Starts `color` with the revision, after whatever ran there has stopped.
    private func startColor(_ color: Color, revisionID: String) async {
        if let old = runners.removeValue(forKey: color) {
            stopping[color] = Task { await old.stopAndWait() }
        }
        await stopping.removeValue(forKey: color)?.value
        guard running else { return }
        let revision: Revision
        if let known = try? self.revision(revisionID) {
            revision = known
        } else {
            note("revision \(revisionID) is not in vigil.db; running the manifest's spec on \(color.rawValue) instead", color: color)
            guard let fallback = try? Revision(spec: loaded.spec) else { return }
            revision = fallback
        }
        let runner = InstanceRunner.make(
            loaded: loaded, spec: revision.effectiveSpec, color: color.rawValue, port: deploy.ports[color], resources: resources
        )
        runners[color] = runner
        observed[color] = nil
        let id = ObjectIdentifier(runner)
        let inputs = self.inputs
        await runner.observe { status in inputs?.yield(.observed(color, id, status)) }
        await runner.setMemoryResponder { [weak self] _ in await self?.replaceForMemory(color) ?? false }
        await runner.send(.start)
    }

    /// Stops `color` in the background; a later start on it waits for the stop.
    private func stopColor(_ color: Color) {
        guard let runner = runners.removeValue(forKey: color) else { return }
        observed[color] = nil
        let previous = stopping[color]
        stopping[color] = Task {
            await previous?.value
            await runner.stopAndWait()
        }
    }

    private func analyze(_ color: Color, stage: AnalysisStage, window: Duration, generation: Int) {
        guard let router, let plan = machine.plan else { return }
        let analyzer = RolloutAnalyzer(spec: plan.analysis, router: router, curl: resources.curl)
        let inputs = self.inputs
        analysis?.cancel()
        analysis = Task {
            let verdict = await analyzer.analyze(color, stage: stage, window: window)
            guard !Task.isCancelled else { return }
            inputs?.yield(.machine(.analysis(verdict, generation: generation)))
        }
    }

    /// Polls the router until `color` has no request in flight (the machine's drainTimeout
    /// timer bounds the wait).
    private func watchDrain(_ color: Color, generation: Int) {
        guard let router else {
            inputs?.yield(.machine(.drained(color, generation: generation)))
            return
        }
        drainWatches[color]?.cancel()
        let inputs = self.inputs
        drainWatches[color] = Task {
            while !Task.isCancelled {
                if await router.inFlight(color) == 0 {
                    inputs?.yield(.machine(.drained(color, generation: generation)))
                    return
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}
