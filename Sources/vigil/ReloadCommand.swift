import ArgumentParser
import VigilSupervisor

struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Re-read config and manifests (same as SIGHUP).",
        discussion: "Changed services restart, removed ones stop, new ones start, unchanged ones keep running. An invalid configuration is rejected whole: the errors are printed, the running configuration stays, and the exit code is 1."
    )

    @OptionGroup var client: ClientOptions

    func run() throws {
        let summary = try callControl {
            try client.client().send("POST", "/v1/reload").decode(Supervisor.ReloadSummary.self)
        }
        func line(_ label: String, _ names: [String]) {
            if !names.isEmpty { print("\(label): \(names.joined(separator: ", "))") }
        }
        line("started", summary.started)
        line("restarted", summary.restarted)
        line("stopped", summary.stopped)
        print("unchanged: \(summary.unchanged.count) service(s)")
        if !summary.needsRestart.isEmpty {
            print("warning: changes to \(summary.needsRestart.joined(separator: ", ")) take effect when Vigil restarts")
        }
    }
}
