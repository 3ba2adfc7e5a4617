import VigilManifest

// The routing tables the service hands its router: the weights the rollout machine or the
// standby failover chose, plus the warm standby as the retry fallback while it can take one.
extension DeployedService {
    /// Makes `weights` the router's table, with the fallback the service's state calls for, and
    /// remembers the table once the router took it. Throws what the router threw.
    func applyRouting(_ weights: [Color: Int]) async throws {
        guard let router else { return }
        let table = RoutingTable(weights: weights, ports: deploy.ports, fallback: retryFallback(for: weights))
        try await router.apply(table)
        routed = table
    }

    /// The color the router may retry a failed request on besides the colors with weight: with
    /// `standby: warm` and no rollout in progress, the standby while it is ready and has no
    /// weight. During a rollout the machine owns both colors, and a color it took out of
    /// service gets no request behind its back.
    func retryFallback(for weights: [Color: Int]) -> Color? {
        guard let standby = warmStandby, (weights[standby] ?? 0) == 0, observed[standby]?.ready == true else { return nil }
        return standby
    }

    /// Applies the weights in force again when the fallback they should carry changed: the
    /// standby became ready or stopped being ready, a rollout started or ended, the manifest
    /// switched `standby`. A router that refuses is noted, and not asked again for this
    /// fallback (without it, requests are only not retried on the standby).
    func refreshFallback() async {
        guard let router, let routed else { return }
        let wanted = retryFallback(for: routed.weights)
        guard wanted != routed.fallback else { return }
        let table = RoutingTable(weights: routed.weights, ports: routed.ports, fallback: wanted)
        do {
            try await router.apply(table)
        } catch {
            note("router could not \(wanted.map { "add \($0.rawValue) as the retry fallback" } ?? "drop the retry fallback"): \(error)")
        }
        self.routed = table
    }

    /// Takes `color` out of the table's fallback before it is stopped or replaced, so no retry
    /// goes to a process on its way out.
    func withdrawFallback(_ color: Color) async {
        guard let router, let routed, routed.fallback == color else { return }
        let table = RoutingTable(weights: routed.weights, ports: routed.ports)
        // A refusal leaves it to `refreshFallback`, which tries again once the color is not ready.
        guard (try? await router.apply(table)) != nil else { return }
        self.routed = table
    }
}
