import Foundation
@testable import SOCEngine
import VigilTestKit
import XCTest

/// The optional LLM against a small local server speaking the chat-completions API.
final class LLMRefinerTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var server: ProcessHandle?

    override func setUpWithError() throws { directory = try TemporaryDirectory(prefix: "socl") }
    override func tearDown() {
        server?.terminate(signal: SIGKILL)
        _ = server?.waitForExit()
        directory.remove()
    }

    /// mode: "good" answers the requested JSON, "prose" answers text, "slow" never answers in time.
    private static let serverScript = """
        import http.server, json, sys, time
        port, mode, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with open(log_path, "a") as log:
                    log.write(json.dumps({"path": self.path, "auth": self.headers.get("Authorization"), "request": request}) + "\\n")
                if mode == "slow":
                    time.sleep(5)
                content = json.dumps({"analysis": "Model view: coordinated credential stuffing.", "key_findings": ["model finding"],
                                      "recommendations": ["model recommendation"], "confidence": 0.91}) if mode == "good" else "I think it is bad."
                body = json.dumps({"id": "c1", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
        """

    private func serve(mode: String) throws -> (url: String, log: String) {
        let port = try freeTCPPort()
        let log = directory.appending("llm.log")
        server = try ProcessHandle(executable: "/usr/bin/python3", arguments: ["-c", Self.serverScript, String(port), mode, log])
        XCTAssertTrue(poll(timeout: .seconds(30)) { (try? HTTPTestConnection(port: port, timeout: .seconds(1))) != nil }, "the fake LLM should listen")
        return ("http://127.0.0.1:\(port)/v1", log)
    }

    private func analyze(with configuration: LLMRefiner.Configuration) async throws -> ThreatAnalysis {
        let coordinator = ThreatCoordinator(knowledge: try .embedded(), history: HistoryIndex(),
                                            agents: ThreatCoordinator.standardAgents(events: nil), refiner: LLMRefiner(configuration: configuration),
                                            configuration: .init(agentTimeout: .seconds(20)))
        let signal = ThreatGenerator(knowledge: try .embedded(), seed: 9).signal(scenario: .botAttack)
        return await coordinator.analyze(signal)
    }

    func testAgentsUseTheModelsAnswerInJSONMode() async throws {
        let (url, log) = try serve(mode: "good")
        let analysis = try await analyze(with: .init(baseURL: url, apiKey: "test-key", model: "local-model", timeout: 10))
        for agent in analysis.agentAnalyses.all {
            XCTAssertTrue(agent.analysis.contains("Model view") && agent.analysis.contains("reviewed by local-model"), agent.analysis)
            XCTAssertEqual(agent.keyFindings, ["model finding"])
            XCTAssertEqual(agent.confidence, 0.91)
        }
        let requests = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(requests.count, 5, "one call per agent")
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(requests[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["path"] as? String, "/v1/chat/completions")
        XCTAssertEqual(first["auth"] as? String, "Bearer test-key")
        let body = try XCTUnwrap(first["request"] as? [String: Any])
        XCTAssertEqual(body["model"] as? String, "local-model")
        XCTAssertEqual((body["response_format"] as? [String: String])?["type"], "json_object")
    }

    func testABadReplyFallsBackToTheAgentsOwnAnalysisAndSaysSo() async throws {
        let (url, _) = try serve(mode: "prose")
        let analysis = try await analyze(with: .init(baseURL: url, apiKey: "k", model: "local-model", timeout: 10))
        let config = analysis.agentAnalyses.config
        XCTAssertTrue(config.analysis.hasPrefix("Checked"), "the rule-based analysis is kept: \(config.analysis)")
        XCTAssertTrue(config.keyFindings.last?.contains("LLM local-model not used") == true, "\(config.keyFindings)")
        XCTAssertTrue(config.keyFindings.last?.contains("not the requested JSON") == true)
        XCTAssertGreaterThan(config.confidence, 0)
    }

    func testATimeoutFallsBackToo() async throws {
        let (url, _) = try serve(mode: "slow")
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
