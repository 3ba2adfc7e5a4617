/// What a reclaim candidate is, in the order SPEC section 5 frees them; also the `kind` label of
/// `vigil_reclaimed_bytes_total` and of the `reclaimed` event.
public enum ReclaimKind: String, Sendable, Codable, CaseIterable, Comparable {
    /// A rotated service log, `SERVICE[-COLOR].log.N[.gz]` in the logs dir.
    case logs
    /// A release directory under a service's `releases.dir`.
    case releases
    /// A file or directory matched by a configured `glob`.
    case glob

    public static func < (a: ReclaimKind, b: ReclaimKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
