import Foundation
import Glibc

extension SignalName {
    /// The signals a manifest may name, by canonical name.
    public static let known: [SignalName] = [
        ("SIGHUP", SIGHUP), ("SIGINT", SIGINT), ("SIGQUIT", SIGQUIT), ("SIGKILL", SIGKILL),
        ("SIGUSR1", SIGUSR1), ("SIGUSR2", SIGUSR2), ("SIGTERM", SIGTERM), ("SIGWINCH", SIGWINCH),
    ].map { SignalName(name: $0.0, number: $0.1) }

    /// Reads `SIGTERM`, `TERM`, `sigterm` or the number `15`; nil for signals not in ``known``.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces).uppercased()
        let match: SignalName?
        if let number = Int32(s) {
            match = Self.known.first { $0.number == number }
        } else {
            let name = s.hasPrefix("SIG") ? s : "SIG" + s
            match = Self.known.first { $0.name == name }
        }
        guard let match else { return nil }
        self = match
    }
}
