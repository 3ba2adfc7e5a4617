import ArgumentParser
import Foundation
import VigilSupervisor

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Show the event log: spawns, exits, restarts with reasons, probe failures, state changes, reloads."
    )

    @OptionGroup var client: ClientOptions
    @Option(name: .long, help: "Only this service.") var service: String?
    @Option(name: .long, help: "Events after this ISO-8601 time or event id.") var since: String?
    @Option(name: .short, help: "At most this many (the newest).") var n = 50
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        var query = ["limit=\(n)"]
        if let service { query.append("service=\(service)") }
        if let since { query.append("since=\(since.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "+"))) ?? since)") }
        let response = try callControl { try client.client().send("GET", "/v1/events?" + query.joined(separator: "&")) }
        if json {
            print(response.text)
            return
        }
        struct List: Decodable { let events: [SupervisorEvent] }
        let list = try callControl { try response.decode(List.self) }
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for event in list.events {
            let who = event.color.map { "\(event.service)/\($0)" } ?? event.service
            let reason = event.reason.map { " [\($0)]" } ?? ""
            print("\(event.time.formatted(format))  \(who)  \(event.kind.rawValue)\(reason)  \(event.message)")
        }
    }
}
