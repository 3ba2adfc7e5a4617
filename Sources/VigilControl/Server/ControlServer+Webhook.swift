import Foundation
import Hummingbird
import VigilDeploy
import VigilSupervisor

/// `POST /v1/hooks/{name}`, once ``ControlGate`` has checked the signature
/// (``WebhookVerifier``): the payload becomes a deploy of a service the webhook lists
/// (``WebhookPayload``), through the same path and env allowlist as `vigil deploy`.
///
/// `X-GitHub-Delivery` (or `X-Gitea-Delivery`) ids are remembered once their deploy was
/// accepted: a replay of one is refused with 409; a redelivery of one that failed is
/// processed again.
enum WebhookRoutes {
    struct Ignored: Encodable {
        let ignored: String
    }

    static func handle(_ request: Request, name: String, supervisor: Supervisor) async throws -> Response {
        let body = Array(buffer: try await request.body.collect(upTo: ControlGate.bodyLimit))
        let webhooks = await supervisor.configuration.supervisor.control.webhooks
        guard let webhook = webhooks.first(where: { $0.name == name }) else {
            throw ControlAPIError(.notFound, "no webhook named '\(name)'")
        }
        let headers = request.headers
        let event = headers[.githubEvent] ?? headers[.giteaEvent]
        let delivery = headers[.githubDelivery] ?? headers[.giteaDelivery]
        let store = supervisor.resources.store
        if let delivery, try store.isDeliveryAccepted(webhook: name, id: delivery) {
            throw ControlAPIError(.conflict, "delivery \(delivery) of webhook \(name) was already deployed", detail: "a replay is refused; a new delivery id deploys again")
        }
        let asked = try WebhookPayload.parse(
            event: event, body: body, service: request.uri.queryParameters.get("service").map { String($0) },
            webhook: name, allowed: webhook.services
        )
        switch asked {
        case .ignored(let why):
            return try jsonResponse(Ignored(ignored: why), status: .accepted)
        case .deploy(let service, let version, let env):
            let deployed = try await DeployRoutes.deployed(service, supervisor: supervisor)
            let parsed: [String: String]
            do {
                parsed = try RevisionRequest.parseEnv(env)
            } catch {
                throw ControlAPIError(.badRequest, "bad env in the webhook payload", detail: "\(error)")
            }
            let response = try await DeployRoutes.answer { try await deployed.deploy(RevisionRequest(version: version, env: parsed)) }
            if let delivery { try store.rememberDelivery(webhook: name, id: delivery) }
            return response
        }
    }
}
