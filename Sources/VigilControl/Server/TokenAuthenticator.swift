import VigilDeploy
import VigilManifest

/// Who a request on the TCP listener (`control.listen`) is: the `control.tokens` entry whose
/// SHA-256 matches its `Authorization: Bearer TOKEN`.
///
/// Config holds only each token's SHA-256, so reading vigil.yaml gives no token away. The hash
/// of the presented token is compared with every configured hash, each byte of each, whatever
/// matched before: how long the check takes says nothing about how close a guess was.
struct TokenAuthenticator {
    let tokens: [TokenConfig]

    /// The caller the header names, or the 401 to answer.
    func authenticate(authorization: String?) -> Result<Caller, ControlAPIError> {
        guard let authorization, authorization.hasPrefix("Bearer ") else {
            return .failure(Self.unauthorized("no bearer token", detail: "send Authorization: Bearer TOKEN (vigil --token TOKEN, or VIGIL_TOKEN); the TCP listener takes no other credentials"))
        }
        let presented = Array(SHA256.hex(Array(authorization.dropFirst("Bearer ".count).utf8)).utf8)
        var match: TokenConfig?
        for token in tokens where Self.constantTimeEqual(presented, Array(token.sha256.utf8)) {
            match = token
        }
        guard let match else {
            return .failure(Self.unauthorized("unknown bearer token", detail: "the token's SHA-256 is not in control.tokens; check the token, or add {name, sha256: <printf %s TOKEN | sha256sum>, role} there"))
        }
        return .success(Caller(token: match.name, role: match.role))
    }

    /// Equal length and bytes, looking at every byte.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    private static func unauthorized(_ error: String, detail: String) -> ControlAPIError {
        ControlAPIError(.unauthorized, error, detail: detail, authenticate: "Bearer realm=\"vigil\"")
    }
}
