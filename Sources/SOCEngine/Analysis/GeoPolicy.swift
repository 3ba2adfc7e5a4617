/// The customer's geo restrictions against the signal's locations.
enum GeoPolicy {
    /// A sentence naming the violation, or nil when the locations are allowed (or unknown).
    static func violation(_ input: AgentInput) -> String? {
        guard let restrictions = input.customer?.geoRestrictions else { return nil }
        for location in [input.evidence.location].compactMap({ $0 }) {
            if let allowed = restrictions.allowedCountries?.map({ $0.uppercased() }), !allowed.contains(location) {
                return "location \(location) is outside the allowed countries (\(allowed.joined(separator: ", ")))"
            }
            if let blocked = restrictions.blockedCountries?.map({ $0.uppercased() }), blocked.contains(location) {
                return "location \(location) is in the blocked countries (\(blocked.joined(separator: ", ")))"
            }
        }
        return nil
    }
}
