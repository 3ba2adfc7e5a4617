import ArgumentParser
import Foundation
import VigilControl
import VigilDeploy
import VigilManifest
import VigilSupervisor

struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Roll a new revision out to the idle color (blue-green or canary, as the manifest says).",
        discussion: "With --wait, prints each phase and weight change; exits 0 when promoted, 3 when rolled back (with the reason), 1 on error or timeout."
    )

    @OptionGroup var client: ClientOptions
    @Argument(help: "Service name.") var service: String
    @Option(name: .long, help: "Version label, exported as ${VERSION}.") var version: String?
    @Option(name: .long, help: "Release directory name under the manifest's releases.dir, exported as ${RELEASE_DIR}.") var release: String?
    @Option(name: .long, help: "Override an env variable, NAME=VALUE (repeatable).") var env: [String] = []
    @Flag(name: .long, help: "Follow the rollout until it is promoted or rolled back.") var wait = false
    @Option(name: .long, help: "With --wait, give up waiting after this long (e.g. 10m); the rollout goes on.") var timeout: String?

    func run() throws {
        let limit = try timeout.map { text in
            guard let duration = DurationFormat.parse(text) else { throw ValidationError("--timeout '\(text)' is not a duration; write it like 30s, 10m") }
            return duration
        }
        struct Body: Encodable { let version: String?; let release: String?; let env: [String] }
        let body = try JSONEncoder().encode(Body(version: version, release: release, env: env))
        let control = client.client()
        let started = try callControl {
            try control.send("POST", "/v1/services/\(service)/deploy", body: Array(body)).decode(RolloutStarted.self)
        }
        let rollout = started.rollout
        let label = started.version.map { "\(rollout.revision) (\($0))" } ?? rollout.revision
        print("\(service): rolling out \(label) to \(rollout.to.rawValue) (rollout \(rollout.id))")
        guard wait else { return }
        try follow(RolloutWatch(client: control, service: service, rollout: rollout), timeout: limit, label: label)
    }
}

/// Prints a rollout's progress and exits 0 promoted, 3 rolled back, 1 aborted or timed out.
func follow(_ watch: RolloutWatch, timeout: Duration?, label: String) throws {
    let prefix = "rollout \(watch.rollout.id): "
    print("  \(watch.rollout.phase.rawValue) (\(watch.rollout.weightsDescription))")
    let finished = try callControl {
        try watch.wait(timeout: timeout) { event in
            print("  " + event.message.dropFirst(prefix.count))
            fflush(stdout)
        }
    }
    guard let finished else {
        printError("timed out waiting for rollout \(watch.rollout.id); it goes on — `vigil status \(watch.service)`, `vigil promote` or `vigil rollback`")
        throw ExitCode(1)
    }
    switch finished.result {
    case .promoted?:
        print("\(watch.service): \(label) promoted on \(finished.to.rawValue)" + (finished.reason.map { " (\($0))" } ?? ""))
    case .rolledBack?:
        print("\(watch.service): rolled back: \(finished.reason ?? "no reason recorded")")
        throw ExitCode(3)
    case .aborted?, nil:
        printError("rollout \(finished.id) aborted: \(finished.reason ?? "no reason recorded")")
        throw ExitCode(1)
    }
}

struct PromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "Skip the remaining pauses and steps of the rollout in progress.",
        discussion: "With --step, end only the pause the rollout waits at; the canary steps after it run as written."
    )
    @OptionGroup var client: ClientOptions
    @Argument(help: "Service name.") var service: String
    @Flag(name: .long, help: "End only the current pause (the next steps run), instead of skipping every remaining step.") var step = false

    func run() throws {
        let body = step ? Array(#"{"step": true}"#.utf8) : nil
        let rollout = try callControl { try client.client().send("POST", "/v1/services/\(service)/promote", body: body).decode(RolloutStarted.self) }.rollout
        print("\(service): rollout \(rollout.id) \(step ? "resumed" : "promoted"): \(rollout.phase.rawValue) (\(rollout.weightsDescription))")
    }
}

struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Back to the previous revision at once: no analysis, no pauses.",
        discussion: "During a rollout, or while the old color is still warm, traffic returns to it at once; later, the previous revision is rolled out fast."
    )
    @OptionGroup var client: ClientOptions
    @Argument(help: "Service name.") var service: String
    @Flag(name: .long, help: "Follow a fast rollback until it ends (exit 0 done, 1 aborted).") var wait = false

    func run() throws {
        let control = client.client()
        let rollout = try callControl { try control.send("POST", "/v1/services/\(service)/rollback").decode(RolloutStarted.self) }.rollout
        if rollout.trigger == .rollback {
            print("\(service): rolling back to \(rollout.revision) on \(rollout.to.rawValue) (rollout \(rollout.id))")
        } else {
            print("\(service): traffic back on \(rollout.from.rawValue) (\(rollout.previousRevision)); \(rollout.to.rawValue) stops once drained")
        }
        guard wait, rollout.trigger == .rollback else { return }
        do {
            try follow(RolloutWatch(client: control, service: service, rollout: rollout), timeout: nil, label: rollout.revision)
        } catch let exit as ExitCode where exit == ExitCode(3) {
            return
        }
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Revisions and rollouts of a blue-green service, with results and reasons.")
    @OptionGroup var client: ClientOptions
    @Argument(help: "Service name.") var service: String
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        let response = try callControl { try client.client().send("GET", "/v1/services/\(service)/history") }
        if json { return print(response.text) }
        let history = try callControl { try response.decode(HistoryReport.self) }
        if let active = history.active {
            print("\(service): \(active.revision)\(active.version.map { " (\($0))" } ?? "") active on \(active.color)")
        }
        let versions = Dictionary(history.revisions.map { ($0.id, $0.version) }, uniquingKeysWith: { a, _ in a })
        let format = Date.ISO8601FormatStyle()
        var rows = [["ROLLOUT", "STARTED", "TRIGGER", "REVISION", "VERSION", "COLORS", "PHASE", "REASON"]]
        for rollout in history.rollouts {
            rows.append([
                rollout.id, rollout.startedAt.formatted(format), rollout.trigger.rawValue, rollout.revision,
                (versions[rollout.revision] ?? nil) ?? "-", "\(rollout.from.rawValue)->\(rollout.to.rawValue)",
                rollout.phase.rawValue, rollout.reason ?? "",
            ])
        }
        if history.rollouts.isEmpty { return print("no rollouts yet") }
        StatusTable.columns(rows).forEach { print($0) }
    }
}
