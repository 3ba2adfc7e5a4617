import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// `vigil engine serve`: the SOC engine as an HTTP service.
public enum SOCEngineServer {
    /// Everything the engine needs to start; defaults match SPEC section 7.
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        /// 0 picks a free port (tests); the bound port is reported to `onListening`.
        public var port = 8000
        public var databasePath = "soc-engine.db"
        /// A customers YAML file replacing the embedded one.
        public var customersFile: String?
        /// An IP reputation JSON file replacing the embedded one.
        public var ipReputationFile: String?
        public var maxStoredThreats = 10_000
        /// Background generator period; nil (the default) keeps it off.
        public var generationInterval: Duration?
        /// Vigil's control API: a Unix socket path or an http:// URL.
        public var vigilControl: String?
        public var llm: LLMRefiner.Configuration?
        public var agentTimeout: Duration = .seconds(2)
        public var generatorSeed: UInt64 = 0x5EC0_0001
        /// Level of the engine's (and Hummingbird's) log; requests themselves are not logged.
        public var logLevel: Logger.Level = .warning

        public init() {}

        /// Applies `MAX_STORED_THREATS`, `THREAT_GENERATION_INTERVAL`, `VIGIL_CONTROL`,
        /// `SOC_CUSTOMERS_FILE` and the `LLM_*` variables; errors name the variable.
        public mutating func apply(environment: [String: String]) throws {
            if let text = environment["MAX_STORED_THREATS"], !text.isEmpty {
                guard let value = Int(text), value > 0 else {
                    throw EngineDataError(file: "MAX_STORED_THREATS", message: "'\(text)' is not a positive whole number")
                }
                maxStoredThreats = value
            }
            if let text = environment["THREAT_GENERATION_INTERVAL"], !text.isEmpty {
                guard let seconds = Double(text), seconds >= 0 else {
                    throw EngineDataError(file: "THREAT_GENERATION_INTERVAL", message: "'\(text)' is not a number of seconds")
                }
                generationInterval = seconds > 0 ? .milliseconds(Int64(seconds * 1000)) : nil
            }
            if let control = environment["VIGIL_CONTROL"], !control.isEmpty { vigilControl = control }
            if customersFile == nil, let file = environment["SOC_CUSTOMERS_FILE"], !file.isEmpty { customersFile = file }
            if let llm = LLMRefiner.Configuration.fromEnvironment(environment) {
                self.llm = llm
                agentTimeout = .milliseconds(Int64(llm.timeout * 1000) + 1000)
            }
        }
    }

    /// Loads the data files, opens the store and wires the agents.
    public static func makeService(_ configuration: Configuration) throws -> EngineService {
        var knowledge = try EngineKnowledge.embedded()
        if let file = configuration.customersFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw EngineDataError(file: file, message: "cannot read the customers file; check --customers")
            }
            knowledge.customers = try CustomerDirectory(yaml: text, origin: file)
        }
        if let file = configuration.ipReputationFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw EngineDataError(file: file, message: "cannot read the IP reputation file; check --ip-reputation")
            }
            knowledge.reputation = try IPReputation(json: data, origin: file)
        }
        let store = try ThreatStore(path: configuration.databasePath, maxStored: configuration.maxStoredThreats)
        let events = configuration.vigilControl.map { CachedEventSource(CurlEventSource(control: $0)) as any EventSource }
        let coordinator = ThreatCoordinator(
            knowledge: knowledge, history: store.history, agents: ThreatCoordinator.standardAgents(events: events),
            refiner: configuration.llm.map { LLMRefiner(configuration: $0) },
            configuration: .init(agentTimeout: configuration.agentTimeout))
        return EngineService(store: store, coordinator: coordinator, generator: ThreatGenerator(knowledge: knowledge, seed: configuration.generatorSeed))
    }

    /// Serves until cancelled or sent SIGTERM/SIGINT. `onListening` gets the bound port.
    public static func run(configuration: Configuration, service: EngineService? = nil, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let service = try service ?? makeService(configuration)
        var logger = Logger(label: "vigil.engine")
        logger.logLevel = configuration.logLevel
        let router = EngineRoutes.router(service)
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "vigil-soc-engine", backlog: 1024),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let interval = configuration.generationInterval {
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: interval)
                        _ = try? await service.process(service.generator.signal())
                    }
                }
            }
            group.addTask { await MemoryTrimmer.run() }
            group.addTask { try await app.runService() }
            try await group.next()
            group.cancelAll()
        }
    }
}
