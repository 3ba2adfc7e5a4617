/// A port a service (or the supervisor) listens on, remembered with where it was written so
/// clashes across files can point at both places.
struct PortUse {
    var port: UInt16
    var location: SourceLocation
    /// What uses it, for messages: `service 'api' (deploy.ports.blue)`.
    var owner: String
}

/// One decoded `kind: Service` document: the spec plus what cross-file checks need.
///
/// A document with problems is still kept (with `isValid` false) as long as its name could be
/// read, so a second service of the same name is reported even when the first is broken.
struct DecodedService {
    var spec: ServiceSpec
    var origin: SourceLocation
    var ports: [PortUse]
    var isValid: Bool
}
