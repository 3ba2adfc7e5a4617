import Foundation
@testable import SOCEngine
import VigilTestKit
import XCTest

/// The optional LLM against a loopback server speaking the chat-completions API.
final class LLMRefinerTests: XCTestCase {
    private var server: LoopbackHTTPServer?

    override func tearDown() { server?.stop() }

    enum Mode { case good, prose, slow }

    /// `.good` answers the requested JSON, `.prose` answers text, `.slow` never answers.
    private func serve(mode: Mode) throws -> (url: String, server: LoopbackHTTPServer) {
        let verdict = #"{"analysis": "Model view: coordinated credential stuffing.", "key_findings": ["model finding"], "recommendations": ["model recommendation"], "confidence": 0.91}"#
        let content = mode == .good ? verdict : "I think it is bad."
        let reply: [String: Any] = ["id": "c1", "object": "chat.completion", "choices": [["index": 0, "message": ["role": "assistant", "content": content]]]]
        let body = Array(try JSONSerialization.data(withJSONObject: reply))
        let server = try LoopbackHTTPServer { request in
            // A body that is not JSON gets a 400, so the agents would fall back.
            guard (try? JSONSerialization.jsonObject(with: Data(request.body))) != nil else { return .respond(status: 400, headers: [:], body: []) }
            return mode == .slow ? .silent : .respond(status: 200, headers: ["Content-Type": "application/json"], body: body)
        }
        self.server = server
        return ("http://127.0.0.1:\(server.port)/v1", server)
    }

    private func analyze(with configuration: LLMRefiner.Configuration) async throws -> ThreatAnalysis {
        let coordinator = ThreatCoordinator(knowledge: try .embedded(), history: HistoryIndex(),
                                            agents: ThreatCoordinator.standardAgents(events: nil), refiner: LLMRefiner(configuration: configuration),
                                            configuration: .init(agentTimeout: .seconds(20)))
        let signal = ThreatGenerator(knowledge: try .embedded(), seed: 9).signal(scenario: .botAttack)
        return await coordinator.analyze(signal)
    }

    func testAgentsUseTheModelsAnswerInJSONMode() async throws {
        let (url, server) = try serve(mode: .good)
        let analysis = try await analyze(with: .init(baseURL: url, apiKey: "test-key", model: "local-model", timeout: 10))
        for agent in analysis.agentAnalyses.all {
            XCTAssertTrue(agent.analysis.contains("Model view") && agent.analysis.contains("reviewed by local-model"), agent.analysis)
            XCTAssertEqual(agent.keyFindings, ["model finding"])
            XCTAssertEqual(agent.confidence, 0.91)
        }
        let requests = server.requests
        XCTAssertEqual(requests.count, 5, "one call per agent")
        let first = requests[0]
        XCTAssertEqual(first.path, "/v1/chat/completions")
        XCTAssertEqual(first.headers["authorization"], "Bearer test-key")
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(first.body)) as? [String: Any])
        XCTAssertEqual(body["model"] as? String, "local-model")
        XCTAssertEqual((body["response_format"] as? [String: String])?["type"], "json_object")
    }

    func testABadReplyFallsBackToTheAgentsOwnAnalysisAndSaysSo() async throws {
        let (url, _) = try serve(mode: .prose)
        let analysis = try await analyze(with: .init(baseURL: url, apiKey: "k", model: "local-model", timeout: 10))
        let config = analysis.agentAnalyses.config
        XCTAssertTrue(config.analysis.hasPrefix("Checked"), "the rule-based analysis is kept: \(config.analysis)")
        XCTAssertTrue(config.keyFindings.last?.contains("LLM local-model not used") == true, "\(config.keyFindings)")
        XCTAssertTrue(config.keyFindings.last?.contains("not the requested JSON") == true)
        XCTAssertGreaterThan(config.confidence, 0)
    }

    func testATimeoutFallsBackToo() async throws {
        let (url, _) = try serve(mode: .slow)
        let analysis = try await analyze(with: .init(baseURL: url, apiKey: "k", model: "local-model", timeout: 0.5))
        let historical = analysis.agentAnalyses.historical
        XCTAssertTrue(historical.keyFindings.last?.contains("LLM local-model not used") == true, "\(historical.keyFindings)")
        XCTAssertTrue(historical.keyFindings.last?.lowercased().contains("timeout") == true || historical.keyFindings.last?.lowercased().contains("timed out") == true, "\(historical.keyFindings)")
    }

    func testEnvironmentEnablesTheLLMOnlyWithURLAndKey() {
        XCTAssertNil(LLMRefiner.Configuration.fromEnvironment(["LLM_BASE_URL": "http://127.0.0.1:1/v1"]))
        let configuration = LLMRefiner.Configuration.fromEnvironment(["LLM_BASE_URL": "http://127.0.0.1:1/v1", "LLM_API_KEY": "k", "LLM_MODEL": "m"])
        XCTAssertEqual(configuration?.model, "m")
    }
}
