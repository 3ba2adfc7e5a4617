import ArgumentParser
import VigilSupervisor

/// `vigil start|stop|restart SERVICE`: one control call, then the service's new state.
protocol ServiceCommand: ParsableCommand {
    var client: ClientOptions { get }
    var service: String { get }
    static var verb: String { get }
}

extension ServiceCommand {
    func run() throws {
        let status = try callControl {
            try client.client().send("POST", "/v1/services/\(service)/\(Self.verb)").decode(ServiceStatus.self)
        }
        let instance = status.instances.first
        print("\(status.name): \(status.state)" + (instance?.pid.map { " (pid \($0))" } ?? ""))
    }
}

struct StartCommand: ServiceCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a stopped service.")
    static let verb = "start"
    @OptionGroup var client: ClientOptions
    @Argument(help: "Service name.") var service: String
}

struct StopCommand: ServiceCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a service: its stop signal, then SIGKILL to its process group after stop.timeout.")
    static let verb = "stop"
    @OptionGroup var client: ClientOptions
    @Argument(help: "Service name.") var service: String
}

struct RestartCommand: ServiceCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Stop and start a service again (reason 'manual').")
    static let verb = "restart"
    @OptionGroup var client: ClientOptions
    @Argument(help: "Service name.") var service: String
}
