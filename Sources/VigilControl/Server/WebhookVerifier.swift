import Foundation
import VigilDeploy
import VigilManifest

/// Checks that a call to `/v1/hooks/{name}` was signed with that webhook's secret:
/// `X-Hub-Signature-256: sha256=<hex>` must be the HMAC-SHA256 of the raw body under the
/// contents of its `secretFile` (a trailing newline ignored), compared in constant time.
struct WebhookVerifier {
    let webhooks: [WebhookConfig]

    /// The caller (the webhook, with the operator role its services are limited to by the
    /// route), or the error to answer: 404 unknown webhook, 401 missing or wrong signature,
    /// 500 unreadable secret.
    func verify(name: String, signature: String?, body: [UInt8]) -> Result<Caller, ControlAPIError> {
        guard let webhook = webhooks.first(where: { $0.name == name }) else {
            return .failure(ControlAPIError(.notFound, "no webhook named '\(name)'", detail: webhooks.isEmpty ? "control.webhooks is empty" : "known webhooks: \(webhooks.map(\.name).joined(separator: ", "))"))
        }
        guard let data = FileManager.default.contents(atPath: webhook.secretFile) else {
            return .failure(ControlAPIError(.internalServerError, "cannot read the secret of webhook \(name)", detail: "\(webhook.secretFile) is missing or unreadable"))
        }
        var secret = [UInt8](data)
        while let last = secret.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { secret.removeLast() }
        let expected = Array(("sha256=" + HMACSHA256.hex(key: secret, message: body)).utf8)
        guard let signature, TokenAuthenticator.constantTimeEqual(Array(signature.lowercased().utf8), expected) else {
            return .failure(ControlAPIError(
                .unauthorized, signature == nil ? "the webhook call is not signed" : "the webhook signature does not match",
                detail: "send X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body with the secret in \(name)'s secretFile>"
            ))
        }
        return .success(Caller(webhook: name))
    }
}
