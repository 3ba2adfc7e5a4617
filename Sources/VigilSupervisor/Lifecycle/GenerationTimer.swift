/// A timer a state machine asked for, tagged with the generation of the step that asked: when
/// it fires, a machine that has moved on to a later generation ignores it ("stale timers do
/// nothing"). `Kind` names what the timer is for; one pending timer per kind.
///
/// Shared by ``InstanceStateMachine`` and the rollout machine in VigilDeploy, each with its own kinds.
public struct GenerationTimer<Kind: Hashable & Sendable>: Sendable, Hashable {
    public var kind: Kind
    public var generation: Int
    public init(_ kind: Kind, generation: Int) {
        self.kind = kind
        self.generation = generation
    }
}
