import Foundation
import Hummingbird
import VigilDeploy
import VigilSupervisor

/// The rollout routes: `POST /v1/services/{name}/deploy|promote|rollback` and
/// `GET /v1/services/{name}/history`, answered by the service's ``DeployedService``.
enum DeployRoutes {
    /// `vigil deploy`'s body: `{"version": "v2", "release": null, "env": ["K=V"]}`, every key optional.
    struct DeployBody: Decodable {
        var version: String?
        var release: String?
        var env: [String]?
    }

    static func deploy(_ request: Request, name: String, supervisor: Supervisor) async throws -> Response {
        let service = try await deployed(name, supervisor: supervisor)
        let bytes = try await request.body.collect(upTo: 1 << 20)
        var body = DeployBody()
        if bytes.readableBytes > 0 {
            do {
                body = try JSONDecoder().decode(DeployBody.self, from: Data(buffer: bytes))
            } catch {
                throw ControlAPIError(.badRequest, "the deploy request is not valid JSON", detail: "send {\"version\": \"v2\", \"release\": null, \"env\": [\"K=V\"]}: \(error)")
            }
        }
        let env: [String: String]
        do {
            env = try RevisionRequest.parseEnv(body.env ?? [])
        } catch {
            throw ControlAPIError(.badRequest, "bad --env", detail: "\(error)")
        }
        return try await answer { try await service.deploy(RevisionRequest(version: body.version, release: body.release, env: env)) }
    }

    /// `vigil promote`'s body: `{"step": true}` ends only the current pause; empty or
    /// `{"step": false}` skips every remaining step.
    struct PromoteBody: Decodable {
        var step: Bool?
    }

    static func promote(_ request: Request, name: String, supervisor: Supervisor) async throws -> Response {
        let service = try await deployed(name, supervisor: supervisor)
        let bytes = try await request.body.collect(upTo: 1 << 16)
        var body = PromoteBody()
        if bytes.readableBytes > 0 {
            do {
                body = try JSONDecoder().decode(PromoteBody.self, from: Data(buffer: bytes))
            } catch {
                throw ControlAPIError(.badRequest, "the promote request is not valid JSON", detail: "send {\"step\": true} to end only the current pause, or nothing: \(error)")
            }
        }
        return try await answer { body.step == true ? try await service.resume() : try await service.promote() }
    }

    static func rollback(name: String, supervisor: Supervisor) async throws -> Response {
        let service = try await deployed(name, supervisor: supervisor)
        return try await answer { try await service.rollback() }
    }

    static func history(_ request: Request, name: String, supervisor: Supervisor) async throws -> Response {
        let service = try await deployed(name, supervisor: supervisor)
        var limit = 50
        if let text = request.uri.queryParameters.get("limit") {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw ControlAPIError(.badRequest, "invalid 'limit': \(text)", detail: "pass a number from 1 to 1000")
            }
            limit = value
        }
        do {
            return try jsonResponse(try await service.history(limit: limit))
        } catch let error as StateStoreError {
            throw ControlAPIError(.internalServerError, "cannot read the history of \(name)", detail: error.description)
        }
    }

    /// The service as a ``DeployedService``: 404 when unknown, 409 without a deploy section.
    static func deployed(_ name: String, supervisor: Supervisor) async throws -> DeployedService {
        guard let managed = await supervisor.managedService(named: name) else {
            throw ControlAPIError.from(Supervisor.CommandError.unknownService(name, known: await supervisor.serviceNames))
        }
        guard let service = managed as? DeployedService else {
            throw ControlAPIError(.conflict, "\(name) has no deploy section", detail: "add `deploy:` (listen, ports) to its manifest to roll out revisions; use `vigil restart \(name)` to restart it")
        }
        return service
    }

    static func answer(_ body: () async throws -> RolloutStarted) async throws -> Response {
        do {
            return try jsonResponse(try await body())
        } catch let error as DeployError {
            switch error.kind {
            case .badRequest: throw ControlAPIError(.badRequest, error.description)
            case .conflict: throw ControlAPIError(.conflict, error.description)
            }
        } catch let error as StateStoreError {
            throw ControlAPIError(.internalServerError, "cannot record the rollout", detail: error.description)
        }
    }
}
