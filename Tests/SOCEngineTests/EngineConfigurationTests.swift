import Foundation
@testable import SOCEngine
import VigilTestKit
import XCTest

final class EngineConfigurationTests: XCTestCase {
    func testEnvironmentVariablesAreAppliedAndBadValuesNamed() throws {
        var configuration = SOCEngineServer.Configuration()
        try configuration.apply(environment: ["MAX_STORED_THREATS": "250", "THREAT_GENERATION_INTERVAL": "1.5", "VIGIL_CONTROL": "/run/vigil.sock"])
        XCTAssertEqual(configuration.maxStoredThreats, 250)
        XCTAssertEqual(configuration.generationInterval, .milliseconds(1500))
        XCTAssertEqual(configuration.vigilControl, "/run/vigil.sock")
        XCTAssertNil(configuration.llm)
        var defaults = SOCEngineServer.Configuration()
        try defaults.apply(environment: [:])
        XCTAssertNil(defaults.generationInterval, "the generator is off by default")
        XCTAssertEqual(defaults.maxStoredThreats, 10_000)
        XCTAssertThrowsError(try defaults.apply(environment: ["MAX_STORED_THREATS": "lots"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("MAX_STORED_THREATS:"), "\(error)")
        }
        XCTAssertThrowsError(try defaults.apply(environment: ["THREAT_GENERATION_INTERVAL": "-1"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("THREAT_GENERATION_INTERVAL:"), "\(error)")
        }
    }

    func testCustomersAndReputationFilesReplaceTheEmbeddedOnes() async throws {
        let directory = try TemporaryDirectory(prefix: "socc")
        defer { directory.remove() }
        try """
            customers:
              - name: tinyshop
                display_name: Tiny Shop
                tier: standard
                rate_limit_per_minute: 10
                allowed_ips: [10.9.0.0/16]
            """.write(toFile: directory.appending("customers.yaml"), atomically: true, encoding: .utf8)
        try #"{"ranges":[{"cidr":"10.66.0.0/16","category":"crawler","name":"In-house crawler"}]}"#
            .write(toFile: directory.appending("rep.json"), atomically: true, encoding: .utf8)
        var configuration = SOCEngineServer.Configuration()
        configuration.databasePath = directory.appending("e.db")
        configuration.customersFile = directory.appending("customers.yaml")
        configuration.ipReputationFile = directory.appending("rep.json")
        let service = try SOCEngineServer.makeService(configuration)
        let analysis = await service.coordinator.analyze(Signals.make(.rateLimitBreach, customer: "tinyshop", metadata: [
            "source_ip": .string("10.66.1.2"), "requests_per_minute": .number(50),
        ]))
        XCTAssertTrue(analysis.agentAnalyses.config.keyFindings.contains { $0.contains("Tiny Shop's rate limit of 10/min") }, "\(analysis.agentAnalyses.config.keyFindings)")
        XCTAssertTrue(analysis.agentAnalyses.context.keyFindings.contains { $0.contains("In-house crawler") })
        XCTAssertNil(service.coordinator.knowledge.customers["acme_corp"], "the file replaces the built-in customers")
    }

    func testBrokenDataFilesAreReportedWithTheFileAndTheProblem() throws {
        let directory = try TemporaryDirectory(prefix: "socc")
        defer { directory.remove() }
        try "customers:\n  - name: a\n    allowed_ips: [not-an-ip]\n".write(toFile: directory.appending("c.yaml"), atomically: true, encoding: .utf8)
        var configuration = SOCEngineServer.Configuration()
        configuration.databasePath = directory.appending("e.db")
        configuration.customersFile = directory.appending("c.yaml")
        XCTAssertThrowsError(try SOCEngineServer.makeService(configuration)) { error in
            XCTAssertTrue("\(error)".contains("c.yaml") && "\(error)".contains("not-an-ip"), "\(error)")
        }
        configuration.customersFile = directory.appending("missing.yaml")
        XCTAssertThrowsError(try SOCEngineServer.makeService(configuration)) { error in
            XCTAssertTrue("\(error)".contains("missing.yaml") && "\(error)".contains("--customers"), "\(error)")
        }
        try #"{"ranges":[{"cidr":"10.0.0.0/8","category":"friendly","name":"x"}]}"#.write(toFile: directory.appending("r.json"), atomically: true, encoding: .utf8)
        configuration.customersFile = nil
        configuration.ipReputationFile = directory.appending("r.json")
        XCTAssertThrowsError(try SOCEngineServer.makeService(configuration)) { error in
            XCTAssertTrue("\(error)".contains("unknown category 'friendly'"), "\(error)")
        }
    }

    func testTheBackgroundGeneratorStoresThreatsWhenEnabled() throws {
        let engine = try EngineHarness { $0.generationInterval = .milliseconds(100) }
        defer {
            engine.stop()
            engine.directory.remove()
        }
        XCTAssertTrue(poll(timeout: .seconds(30)) { engine.service.store.count >= 3 }, "the generator should produce threats")
        let list = try engine.json(try engine.request("/api/threats?limit=5"))
        XCTAssertGreaterThanOrEqual((list["threats"] as? [Any])?.count ?? 0, 3)
    }

    func testTheSameSeedGeneratesTheSameSignals() throws {
        let knowledge = try EngineKnowledge.embedded()
        let a = ThreatGenerator(knowledge: knowledge, seed: 42)
        let b = ThreatGenerator(knowledge: knowledge, seed: 42)
        let time = Date()
        for _ in 0..<20 {
            let (x, y) = (a.signal(now: time), b.signal(now: time))
            XCTAssertEqual(x.threatType, y.threatType)
            XCTAssertEqual(x.customerName, y.customerName)
            XCTAssertEqual(x.metadata, y.metadata)
            XCTAssertNotNil(knowledge.customers[x.customerName])
        }
    }
}
