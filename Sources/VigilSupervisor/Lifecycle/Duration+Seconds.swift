extension Duration {
    /// The duration in seconds, for arithmetic with multipliers and jitter.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
