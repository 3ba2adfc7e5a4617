/// HMAC-SHA256 (RFC 2104) over ``SHA256``: how GitHub and Gitea sign webhook bodies
/// (`X-Hub-Signature-256: sha256=<hex>`).
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key`.
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? SHA256.digest(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = SHA256.digest(block.map { $0 ^ 0x36 } + message)
        return SHA256.digest(block.map { $0 ^ 0x5c } + inner)
    }

    /// The MAC as lowercase hex.
    public static func hex(key: [UInt8], message: [UInt8]) -> String {
        SHA256.hexString(mac(key: key, message: message))
    }
}
