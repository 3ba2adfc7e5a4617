import HTTPTypes

/// The headers GitHub and Gitea send with a webhook call.
extension HTTPField.Name {
    static let hubSignature256 = Self("X-Hub-Signature-256")!
    static let githubEvent = Self("X-GitHub-Event")!
    static let giteaEvent = Self("X-Gitea-Event")!
    static let githubDelivery = Self("X-GitHub-Delivery")!
    static let giteaDelivery = Self("X-Gitea-Delivery")!
}
