import ArgumentParser
import Foundation
import VigilSupervisor

/// `vigil audit [--json] [-n N]`: who changed what through the control API, and what came of
/// it (admin only).
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log: every control call that changed something or tried to, who made it and the result (admin)."
    )

    @OptionGroup var client: ClientOptions
    @Option(name: .short, help: "At most this many (the newest).") var n = 50
    @Flag(name: .long, help: "Print JSON: {\"audit\": [{id, time, uid, user, service, pid, token, role, method, endpoint, arguments, status, outcome}]}.") var json = false

    func validate() throws {
        guard (1...10_000).contains(n) else { throw ValidationError("-n must be from 1 to 10000") }
    }

    func run() throws {
        let response = try callControl { try client.client().send("GET", "/v1/audit?limit=\(n)") }
        if json {
            print(response.text)
            return
        }
        let list = try callControl { try response.decode(AuditList.self) }
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for record in list.audit {
            let who = record.token.map { "token \($0)" } ?? ((record.service.map { "service \($0) " } ?? "") + (record.user ?? record.uid.map { "uid \($0)" } ?? "unknown"))
            let role = record.role ?? "no role"
            let arguments = record.arguments.map { "  \($0)" } ?? ""
            print("\(record.time.formatted(format))  \(who) (\(role))  \(record.method) \(record.endpoint)\(arguments)  -> \(record.status) \(record.outcome)")
        }
    }
}
