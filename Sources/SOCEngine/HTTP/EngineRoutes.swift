import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The HTTP API of SPEC section 7 on a Hummingbird router.
public enum EngineRoutes {
    public static let version = "1.0.0"

    static let endpoints = [
        "GET /", "GET /health", "GET /ready", "GET /metrics", "POST /api/signals", "POST /api/threats/trigger",
        "GET /api/threats", "GET /api/threats/{id}", "PATCH /api/threats/{id}", "GET /api/analytics", "WS /ws",
        "GET /dashboard/{file}",
    ]

    /// A router serving every endpoint through `service`.
    public static func router(_ service: EngineService) -> Router<EngineRequestContext> {
        let router = Router(context: EngineRequestContext.self)
        addRoot(to: router)
        addDashboard(to: router)
        router.get("/health") { _, _ in
            let uptime = (Date().timeIntervalSince(service.startedAt) * 1000).rounded() / 1000
            return JSONResponse.make(.ok, "{\"status\":\"healthy\",\"uptime_seconds\":\(uptime),\"timestamp\":\"\(ISO8601.format(Date()))\"}")
        }
        router.get("/ready") { _, _ in
            if let reason = await service.unreadyReason() {
                return JSONResponse.make(.serviceUnavailable, "{\"status\":\"not_ready\",\"reason\":\(EngineJSON.quoted(reason))}")
            }
            return JSONResponse.make(.ok, "{\"status\":\"ready\",\"stored_threats\":\(service.store.count)}")
        }
        router.get("/metrics") { _, _ in
            let text = service.metrics.render(requiringReview: (try? await service.store.pendingReviewCount()) ?? 0)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("/api/signals") { request, context in
            let receivedAt = Date()
            let body = try await readBody(request, context)
            let signal: SecuritySignal
            do {
                signal = try SignalValidator.signal(from: body.readableBytesView, now: receivedAt)
            } catch {
                return JSONResponse.error(.badRequest, (error as? SignalValidator.Failure)?.message ?? "\(error)")
            }
            return JSONResponse.make(.created, try await service.process(signal, receivedAt: receivedAt))
        }
        router.post("/api/threats/trigger") { request, context in
            let receivedAt = Date()
            let object = try await readObject(request, context)
            let type: ThreatType?
            do {
                type = try SignalValidator.threatType(object["threat_type"], field: "threat_type", required: false)
            } catch {
                return JSONResponse.error(.badRequest, (error as? SignalValidator.Failure)?.message ?? "\(error)")
            }
            var scenario: ThreatGenerator.Scenario?
            if let value = object["scenario"], value != .null {
                guard let name = value.stringValue, let parsed = ThreatGenerator.Scenario(rawValue: name) else {
                    return JSONResponse.error(.badRequest, "scenario: unknown scenario \(value.stringValue.map { "'\($0)'" } ?? value.typeName); expected one of \(ThreatGenerator.Scenario.allNames)")
                }
                scenario = parsed
            }
            let signal = service.generator.signal(type: type, scenario: scenario, now: receivedAt)
            return JSONResponse.make(.created, try await service.process(signal, receivedAt: receivedAt))
        }
        router.get("/api/threats") { request, _ in
            let query = request.uri.queryParameters
            let limitText = query.get("limit").map { String($0) } ?? "20"
            let offsetText = query.get("offset").map { String($0) } ?? "0"
            guard let limit = Int(limitText), (1...100).contains(limit) else {
                return JSONResponse.error(.badRequest, "limit: '\(limitText)' is not a whole number from 1 to 100")
            }
            guard let offset = Int(offsetText), offset >= 0 else {
                return JSONResponse.error(.badRequest, "offset: '\(offsetText)' is not a whole number ≥ 0")
            }
            let bodies = try await service.store.bodies(limit: limit, offset: offset)
            var out = Data("{\"threats\":[".utf8)
            for (index, body) in bodies.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(body)
            }
            out.append(contentsOf: Array("],\"total\":\(service.store.count),\"limit\":\(limit),\"offset\":\(offset)}".utf8))
            return JSONResponse.make(.ok, out)
        }
        router.get("/api/threats/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let body = try await service.store.body(id: id) else {
                return JSONResponse.error(.notFound, "threat '\(id)' not found; list threats with GET /api/threats")
            }
            return JSONResponse.make(.ok, body)
        }
        router.patch("/api/threats/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            let object = try await readObject(request, context)
            let names = ThreatStatus.verdicts.map(\.rawValue).joined(separator: ", ")
            guard let value = object["status"], value != .null else {
                return JSONResponse.error(.badRequest, "status: required; one of \(names)")
            }
            guard let text = value.stringValue, let status = ThreatStatus(rawValue: text), ThreatStatus.verdicts.contains(status) else {
                return JSONResponse.error(.badRequest, "status: \(value.stringValue.map { "'\($0)'" } ?? value.typeName) is not a verdict; expected one of \(names)")
            }
            var note: String?
            if let noteValue = object["note"], noteValue != .null {
                guard let text = noteValue.stringValue else { return JSONResponse.error(.badRequest, "note: expected a string, found \(noteValue.typeName)") }
                note = text
            }
            guard let updated = try await service.store.setVerdict(id: id, status: status, note: note, at: Date()) else {
                return JSONResponse.error(.notFound, "threat '\(id)' not found; list threats with GET /api/threats")
            }
            let body = updated.jsonData()
            service.broadcaster.publish(ThreatBroadcaster.envelope(type: "threat_updated", data: body))
            return JSONResponse.make(.ok, body)
        }
        router.get("/api/analytics") { _, _ in
            try JSONResponse.encode(.ok, try await service.store.analytics())
        }
        addWebSocket(to: router, service: service)
        return router
    }

    /// The request body; throws the 413 answer when it is over the limit.
    static func readBody(_ request: Request, _ context: EngineRequestContext) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > context.maxUploadSize {
            throw DetailError(.contentTooLarge, "body: \(length) bytes is over the 1 MiB limit")
        }
        do {
            return try await request.body.collect(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw DetailError(.contentTooLarge, "body: over the 1 MiB limit")
        }
    }

    /// The body as a JSON object (an empty body is an empty object); throws the 400/413 answer.
    static func readObject(_ request: Request, _ context: EngineRequestContext) async throws -> [String: JSONValue] {
        let body = try await readBody(request, context)
        if body.readableBytes == 0 { return [:] }
        guard let value = try? JSONParser.parse(body.readableBytesView) else {
            throw DetailError(.badRequest, "body: not valid JSON")
        }
        guard let object = value.objectValue else {
            throw DetailError(.badRequest, "body: expected a JSON object, found \(value.typeName)")
        }
        return object
    }

    /// An error answer thrown out of a handler: the router turns it into the engine's
    /// `{"detail": message}` response (``JSONResponse/error(_:_:)``).
    struct DetailError: HTTPResponseError {
        let status: HTTPResponse.Status
        let message: String

        init(_ status: HTTPResponse.Status, _ message: String) {
            self.status = status
            self.message = message
        }

        func response(from request: Request, context: some RequestContext) throws -> Response {
            JSONResponse.error(status, message)
        }
    }
}
