import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import VigilManifest
import VigilReclaim
import VigilSupervisor

/// The control API (SPEC section 9) on Vigil's Unix socket: status, per-service commands,
/// events and reload.
public struct ControlServer: Sendable {
    let supervisor: Supervisor
    let source: ConfigurationSource
    /// Answers `/v1/reclaim`; set with ``reclaiming(with:)``.
    var reclaimer: DiskReclaimer?

    public init(supervisor: Supervisor, source: ConfigurationSource) {
        self.supervisor = supervisor
        self.source = source
    }

    /// The routes, separate from the listener so tests and TCP listeners share them. Every
    /// request passes ``ControlGate`` first: identity, role, JSON errors, audit.
    public func makeRouter() -> Router<ControlRequestContext> {
        let router = Router(context: ControlRequestContext.self)
        let supervisor = self.supervisor
        let source = self.source
        router.add(middleware: ControlGate(supervisor: supervisor))

        router.get("/v1/status") { _, _ in
            try jsonResponse(await supervisor.status())
        }
        router.get("/v1/services/:name") { _, context in
            let name = try context.parameters.require("name")
            do {
                return try jsonResponse(try await supervisor.status(of: name))
            } catch let error as Supervisor.CommandError {
                throw ControlAPIError.from(error)
            }
        }
        router.get("/v1/services/:name/history") { request, context in
            try await DeployRoutes.history(request, name: try context.parameters.require("name"), supervisor: supervisor)
        }
        router.post("/v1/services/:name/:command") { request, context in
            let name = try context.parameters.require("name")
            let command = try context.parameters.require("command")
            do {
                switch command {
                case "start": try await supervisor.startService(name)
                case "stop": try await supervisor.stopService(name)
                case "restart": try await supervisor.restartService(name)
                case "deploy": return try await DeployRoutes.deploy(request, name: name, supervisor: supervisor)
                case "promote": return try await DeployRoutes.promote(request, name: name, supervisor: supervisor)
                case "rollback": return try await DeployRoutes.rollback(name: name, supervisor: supervisor)
                default:
                    throw ControlAPIError(.notFound, "unknown command '\(command)'", detail: "use start, stop, restart, deploy, promote or rollback")
                }
                return try jsonResponse(try await supervisor.status(of: name))
            } catch let error as Supervisor.CommandError {
                throw ControlAPIError.from(error)
            }
        }
        router.get("/v1/events") { request, _ in
            try events(request, supervisor: supervisor)
        }
        router.post("/v1/hooks/:name") { request, context in
            try await WebhookRoutes.handle(request, name: try context.parameters.require("name"), supervisor: supervisor)
        }
        router.get("/v1/audit") { request, _ in
            try audit(request, supervisor: supervisor)
        }
        router.post("/v1/reload") { _, _ in
            switch await supervisor.reloadFromDisk(source) {
            case .applied(let summary):
                return try jsonResponse(summary)
            case .rejected(let errors):
                throw ControlAPIError(
                    .unprocessableContent, "configuration rejected; the running configuration is kept",
                    detail: errors.description
                )
            }
        }
        addReclaimRoutes(to: router)
        return router
    }

    /// Serves the API on a Unix socket, and on `listen` (TCP, bearer tokens only) when given,
    /// running `services` (the supervisor) alongside until SIGTERM or SIGINT. The socket
    /// appears at `socketPath` only with mode 0660 and the group of its directory
    /// (``ControlSocketFile``); the group's members may connect, and what each peer may do is
    /// its role's.
    ///
    /// - Throws: ``ControlSocketError`` when the socket's directory is not usable.
    public func makeApplication(socketPath: String, listen: HostPort? = nil, services: [any Service], onRunning: @escaping @Sendable () async -> Void) throws -> some ApplicationProtocol {
        let socket = try ControlSocketFile(path: socketPath)
        let tcp: [any Service] = listen.map { address in
            [Application(router: makeRouter(), configuration: .init(address: .hostname(address.host, port: Int(address.port)), serverName: "vigil"))]
        } ?? []
        return Application(
            router: makeRouter(),
            configuration: .init(address: .unixDomainSocket(path: socket.bindPath), serverName: "vigil"),
            services: services + tcp,
            onServerRunning: { _ in
                do {
                    try socket.publish()
                } catch {
                    // Fail closed: the socket stays where only root reaches it.
                    Logger(label: "vigil.control").critical("the control socket is not reachable at \(socketPath): \(error)")
                }
                await onRunning()
            }
        )
    }
}

/// `GET /v1/events?after=ID&since=ISO8601&service=NAME&limit=N`, oldest first.
private func events(_ request: Request, supervisor: Supervisor) throws -> Response {
    let query = request.uri.queryParameters
    var after: Int64?
    var since: Date?
    if let text = query.get("after") {
        guard let id = Int64(text) else { throw ControlAPIError(.badRequest, "invalid 'after': \(text)", detail: "pass an event id, e.g. after=120") }
        after = id
    }
    if let text = query.get("since") {
        if let id = Int64(text) {
            after = id
        } else if let date = try? VigilJSON.decoder().decode(Date.self, from: Data("\"\(text)\"".utf8)) {
            since = date
        } else {
            throw ControlAPIError(.badRequest, "invalid 'since': \(text)", detail: "pass an ISO-8601 time such as 2026-11-21T17:03:00Z, or an event id")
        }
    }
    var limit = 500
    if let text = query.get("limit") {
        guard let value = Int(text), (1...5000).contains(value) else { throw ControlAPIError(.badRequest, "invalid 'limit': \(text)", detail: "pass a number from 1 to 5000") }
        limit = value
    }
    let service = query.get("service")
    supervisor.resources.events.flush()
    let list: [SupervisorEvent]
    if after == nil, since == nil {
        list = try supervisor.resources.store.latestEvents(service: service, limit: limit)
    } else {
        list = try supervisor.resources.store.events(after: after, since: since, service: service, limit: limit)
    }
    return try jsonResponse(EventList(events: list))
}

/// `GET /v1/audit?limit=N`: the newest N (default 100, at most 10000) audit records, oldest first.
private func audit(_ request: Request, supervisor: Supervisor) throws -> Response {
    var limit = 100
    if let text = request.uri.queryParameters.get("limit") {
        guard let value = Int(text), (1...10_000).contains(value) else { throw ControlAPIError(.badRequest, "invalid 'limit': \(text)", detail: "pass a number from 1 to 10000") }
        limit = value
    }
    return try jsonResponse(AuditList(audit: try supervisor.resources.store.auditRecords(limit: limit)))
}

struct EventList: Codable {
    let events: [SupervisorEvent]
}
