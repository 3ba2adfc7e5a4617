import ArgumentParser
import Foundation
import SOCEngine

/// `vigil engine ...`: the SOC threat analysis engine that ships in the binary.
struct EngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "The SOC threat analysis engine (SPEC section 7).",
        subcommands: [Serve.self])

    /// `vigil engine serve`: analyse signals over HTTP until SIGTERM/SIGINT.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the threat analysis API.",
            discussion: """
                Environment: MAX_STORED_THREATS (default 10000), THREAT_GENERATION_INTERVAL (seconds; off by default), \
                VIGIL_CONTROL (control socket path or http:// URL for the devops agent), SOC_CUSTOMERS_FILE, \
                LLM_BASE_URL + LLM_API_KEY (+ LLM_MODEL) for the optional LLM review.
                """)

        @Option(help: "Address to listen on, HOST:PORT.")
        var listen = "127.0.0.1:8000"

        @Option(help: "SQLite database file for stored analyses.")
        var db = "soc-engine.db"

        @Option(help: "Customers YAML file (replaces the built-in one).")
        var customers: String?

        @Option(name: .customLong("ip-reputation"), help: "IP reputation JSON file (replaces the built-in one).")
        var ipReputation: String?

        func run() async throws {
            var configuration = SOCEngineServer.Configuration()
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw ValidationError("--listen: '\(listen)' is not HOST:PORT (for example 127.0.0.1:8000)")
            }
            configuration.host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            configuration.port = port
            configuration.databasePath = db
            configuration.customersFile = customers
            configuration.ipReputationFile = ipReputation
            do {
                try configuration.apply(environment: ProcessInfo.processInfo.environment)
                let service = try SOCEngineServer.makeService(configuration)
                let (host, database) = (configuration.host, configuration.databasePath)
                try await SOCEngineServer.run(configuration: configuration, service: service) { port in
                    print("vigil engine: listening on http://\(host):\(port) (db \(database), \(service.store.count) stored threats)")
                    fflush(stdout)
                }
            } catch let error as EngineDataError {
                FileHandle.standardError.write(Data("vigil engine: error: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
