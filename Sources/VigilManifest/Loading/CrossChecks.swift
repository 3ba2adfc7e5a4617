/// Checks that need every file at once: unique service names, no two listeners on one port,
/// and control webhooks naming services that exist.
enum CrossChecks {
    static func run(_ session: LoadSession) {
        var firstByName: [String: DecodedService] = [:]
        for service in session.decodedServices {
            if let first = firstByName[service.spec.name] {
                session.diagnostics.error(service.origin, "service '\(service.spec.name)' is already defined at \(first.origin); service names must be unique, so rename one of them")
            } else {
                firstByName[service.spec.name] = service
            }
        }

        var firstByPort: [UInt16: PortUse] = [:]
        let uses = (session.supervisor?.ports ?? []) + session.services.flatMap(\.ports)
        for use in uses {
            if let first = firstByPort[use.port] {
                session.diagnostics.error(use.location, "port \(use.port) of \(use.owner) is already used by \(first.owner) at \(first.location); give each listener its own port")
            } else {
                firstByPort[use.port] = use
            }
        }

        let names = session.services.map(\.spec.name)
        for (name, location) in session.supervisor?.webhookServices ?? [] where !names.contains(name) {
            let known = names.isEmpty ? "no services are defined" : "defined services: \(names.joined(separator: ", "))"
            session.diagnostics.error(location, "webhook names service '\(name)', which no manifest defines (\(known)); fix the name or add its manifest")
        }
    }
}
