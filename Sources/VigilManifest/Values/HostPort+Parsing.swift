extension HostPort {
    /// Reads `127.0.0.1:9470`, `localhost:8080` or `[::1]:8080`.
    ///
    /// The host must be non-empty and the port 1–65535; nil otherwise.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        let host: Substring
        let portText: Substring
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
            host = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            guard after.hasPrefix(":") else { return nil }
            portText = after.dropFirst()
        } else {
            guard let colon = s.lastIndex(of: ":") else { return nil }
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
            guard !host.contains(":") else { return nil }
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace),
              portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = UInt16(portText), port >= 1 else { return nil }
        self.init(host: String(host), port: port)
    }
}
