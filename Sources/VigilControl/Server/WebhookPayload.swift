import Foundation

/// What a signed webhook call asks for: a deploy of one service, or nothing (a `ping`, a push
/// to a branch, a workflow that failed), which is answered 202 and audited.
enum WebhookRequest: Equatable {
    case deploy(service: String, version: String?, env: [String])
    case ignored(String)
}

/// Reads a webhook body (SPEC section 9): GitHub's and Gitea's `release` (published: the tag),
/// `push` (of a tag: the tag) and `workflow_run` (completed with success: the commit), told
/// apart by `X-GitHub-Event` / `X-Gitea-Event`, or without that header a plain
/// `{"service", "version", "env": ["K=V"]}`.
///
/// A GitHub payload names no service: it is the `?service=` of the URL, or the webhook's only
/// service. Either way the service must be one the webhook lists.
enum WebhookPayload {
    static func parse(event: String?, body: [UInt8], service query: String?, webhook: String, allowed: [String]) throws(ControlAPIError) -> WebhookRequest {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw ControlAPIError(.badRequest, "the webhook body is not a JSON object", detail: "send a GitHub release, push or workflow_run event, or {\"service\": \"api\", \"version\": \"v2\", \"env\": []}")
        }
        let version: String
        switch event ?? "" {
        case "":
            guard let service = object["service"] as? String ?? query ?? allowed.only else {
                throw ControlAPIError(.badRequest, "the webhook body names no service", detail: "send {\"service\": \"NAME\", \"version\": \"v2\"}")
            }
            let env = object["env"] as? [String] ?? []
            return .deploy(service: try check(service, webhook: webhook, allowed: allowed), version: object["version"] as? String, env: env)
        case "release":
            let action = object["action"] as? String ?? ""
            guard ["published", "released"].contains(action) else { return .ignored("release \(action) is not deployed; only published releases are") }
            guard let tag = (object["release"] as? [String: Any])?["tag_name"] as? String else {
                throw ControlAPIError(.badRequest, "the release event has no release.tag_name")
            }
            version = tag
        case "push":
            let ref = object["ref"] as? String ?? ""
            guard ref.hasPrefix("refs/tags/") else { return .ignored("a push to \(ref) is not deployed; only tags are") }
            version = String(ref.dropFirst("refs/tags/".count))
        case "workflow_run":
            let run = object["workflow_run"] as? [String: Any] ?? [:]
            let action = object["action"] as? String ?? ""
            let conclusion = run["conclusion"] as? String ?? "none"
            guard action == "completed", conclusion == "success" else {
                return .ignored("workflow_run \(action) with conclusion \(conclusion) is not deployed; only completed successful runs are")
            }
            guard let sha = run["head_sha"] as? String, !sha.isEmpty else { throw ControlAPIError(.badRequest, "the workflow_run event has no workflow_run.head_sha") }
            version = String(sha.prefix(12))
        case let other:
            return .ignored("\(other) events are not deployed; send release, push (of a tag) or workflow_run")
        }
        guard let service = query ?? allowed.only else {
            throw ControlAPIError(.badRequest, "webhook \(webhook) allows several services; name one", detail: "point the hook at /v1/hooks/\(webhook)?service=NAME (one of \(allowed.joined(separator: ", ")))")
        }
        return .deploy(service: try check(service, webhook: webhook, allowed: allowed), version: version, env: [])
    }

    private static func check(_ service: String, webhook: String, allowed: [String]) throws(ControlAPIError) -> String {
        guard allowed.contains(service) else {
            throw ControlAPIError(.forbidden, "webhook \(webhook) may not deploy \(service)", detail: "it may deploy \(allowed.isEmpty ? "no service" : allowed.joined(separator: ", ")); add the service to its services in vigil.yaml")
        }
        return service
    }
}

private extension Array {
    /// The element when there is exactly one.
    var only: Element? { count == 1 ? first : nil }
}
