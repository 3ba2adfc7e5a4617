import ArgumentParser

@main
struct VigilCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "A self-healing supervisor and blue-green deployment agent for Linux hosts.",
        version: VigilVersion.current,
        subcommands: [
            UpCommand.self, CheckCommand.self, StatusCommand.self,
            StartCommand.self, StopCommand.self, RestartCommand.self,
            DeployCommand.self, PromoteCommand.self, RollbackCommand.self, HistoryCommand.self,
            LogsCommand.self, EventsCommand.self, AuditCommand.self, ReloadCommand.self, ReclaimCommand.self, EngineCommand.self,
        ]
    )
}

enum VigilVersion {
    static let current = "0.1.0"
}
