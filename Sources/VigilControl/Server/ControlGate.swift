import Foundation
import Hummingbird
import Logging
import VigilManifest
import VigilSupervisor

/// The middleware every control API request passes first: it finds out who the caller is
/// (``CallerResolver`` on the socket, ``TokenAuthenticator`` on the TCP listener: 401 without
/// a known token), refuses a call its role does not allow (403), answers every error as
/// JSON `{error, detail}` (``ControlErrorResponse``), and appends every call that changes
/// something, allowed or not, to the audit log.
struct ControlGate: RouterMiddleware {
    typealias Context = ControlRequestContext

    let supervisor: Supervisor
    /// Largest request body read; more is answered 413.
    static let bodyLimit = 1 << 20

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let audited = ControlPermission.changesSomething(request.method)
        var arguments: String?
        var identified: Result<Caller, ControlAPIError> = .failure(ControlAPIError(.unauthorized, "the request was not read"))
        let response: Response
        var failure: ControlAPIError?
        do {
            var body: [UInt8] = []
            if audited {
                let buffer = try await request.collectBody(upTo: Self.bodyLimit)
                body = Array(buffer: buffer)
                arguments = SecretRedaction.redactJSON(Data(body))
            }
            identified = await identify(context, request, body: body)
            try authorize(identified.get(), request)
            response = try await next(request, context)
        } catch {
            let answer = ControlErrorResponse.translate(error, method: request.method, path: request.uri.path)
            failure = answer
            response = answer.makeResponse()
        }
        if audited {
            record(try? identified.get(), request, arguments: arguments, status: response.status, failure: failure)
        }
        return response
    }

    private func identify(_ context: Context, _ request: Request, body: [UInt8]) async -> Result<Caller, ControlAPIError> {
        let configuration = await supervisor.configuration
        let parts = request.uri.path.split(separator: "/")
        if request.method == .post, parts.count == 3, parts[0] == "v1", parts[1] == "hooks" {
            return WebhookVerifier(webhooks: configuration.supervisor.control.webhooks)
                .verify(name: String(parts[2]), signature: request.headers[.hubSignature256], body: body)
        }
        guard let peer = await PeerCredentials.of(context.channel) else {
            return TokenAuthenticator(tokens: configuration.supervisor.control.tokens).authenticate(authorization: request.headers[.authorization])
        }
        let status = await supervisor.status(readingUsage: false)
        let resolver = CallerResolver(
            grants: configuration.supervisor.control.roles,
            instancePIDs: Dictionary(uniqueKeysWithValues: status.services.map { service in
                (service.name, Set(service.instances.compactMap(\.pid)))
            }),
            serviceRoles: Dictionary(uniqueKeysWithValues: configuration.services.map { ($0.spec.name, $0.spec.controlRole) })
        )
        return .success(resolver.resolve(peer))
    }

    private func authorize(_ caller: Caller, _ request: Request) throws {
        let needed = ControlPermission.requiredRole(method: request.method, path: request.uri.path)
        guard let role = caller.role else {
            throw ControlAPIError(
                .forbidden, "forbidden: \(caller.description) has no role",
                detail: "\(request.method) \(request.uri.path) needs role \(needed.rawValue); an admin can grant one in vigil.yaml: control.roles: [{user: \(caller.user ?? "NAME"), role: \(needed.rawValue)}] (or a group)"
            )
        }
        guard role >= needed else {
            throw ControlAPIError(
                .forbidden, "forbidden: \(request.method) \(request.uri.path) needs role \(needed.rawValue)",
                detail: "\(caller.description) has role \(role.rawValue) (from \(caller.grantedBy ?? "?"))"
            )
        }
    }

    /// Arguments as stored: at most 4 KiB of them, so a caller with no role cannot fill
    /// vigil.db with megabyte bodies that are refused anyway.
    static func bounded(_ arguments: String) -> String {
        arguments.utf8.count <= 4096 ? arguments : String(decoding: arguments.utf8.prefix(4096), as: UTF8.self) + "... (\(arguments.utf8.count) bytes)"
    }

    private func record(_ caller: Caller?, _ request: Request, arguments: String?, status: HTTPResponse.Status, failure: ControlAPIError?) {
        let entry = AuditRecord(
            uid: caller?.uid, user: caller?.user, service: caller?.service, pid: caller?.pid, token: caller?.token, webhook: caller?.webhook, role: caller?.role?.rawValue,
            method: request.method.rawValue, endpoint: request.uri.description, arguments: arguments.map(Self.bounded),
            status: Int(status.code), outcome: failure.map { $0.error + ($0.detail.map { ": \($0)" } ?? "") } ?? "ok"
        )
        do {
            try supervisor.resources.store.appendAudit(entry)
        } catch {
            Logger(label: "vigil.audit").critical("cannot append to the audit log: \(error); the call was \(entry.method) \(entry.endpoint) by \(caller?.description ?? "an unidentified peer"), answered \(entry.status)")
        }
    }
}
