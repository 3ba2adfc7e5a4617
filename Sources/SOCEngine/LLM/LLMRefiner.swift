import Foundation

/// The optional LLM: asks an OpenAI-compatible chat-completions endpoint (JSON mode) to review
/// each agent's rule-based analysis, through libcurl with a timeout.
///
/// Any failure (timeout, HTTP error, reply that is not the expected JSON) keeps the agent's own
/// analysis and adds a finding saying the model was not used and why.
public struct LLMRefiner: AnalysisRefiner {
    public struct Configuration: Sendable {
        /// e.g. `http://127.0.0.1:11434/v1`; `/chat/completions` is appended.
        public var baseURL: String
        public var apiKey: String
        public var model: String
        public var timeout: TimeInterval

        public init(baseURL: String, apiKey: String, model: String = "gpt-4o-mini", timeout: TimeInterval = 5) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.model = model
            self.timeout = timeout
        }

        /// From `LLM_BASE_URL`, `LLM_API_KEY` and `LLM_MODEL`; nil unless the first two are set.
        public static func fromEnvironment(_ environment: [String: String]) -> Configuration? {
            guard let base = environment["LLM_BASE_URL"], !base.isEmpty, let key = environment["LLM_API_KEY"], !key.isEmpty else { return nil }
            return Configuration(baseURL: base, apiKey: key, model: environment["LLM_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? "gpt-4o-mini")
        }
    }

    public let configuration: Configuration
    public init(configuration: Configuration) { self.configuration = configuration }

    private struct Reply: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { var content: String? }
            var message: Message
        }
        var choices: [Choice]
    }

    private struct Verdict: Decodable {
        var analysis: String
        var keyFindings: [String]
        var recommendations: [String]
        var confidence: Double

        enum CodingKeys: String, CodingKey {
            case analysis, recommendations, confidence
            case keyFindings = "key_findings"
        }
    }

    public func refine(_ analysis: AgentAnalysis, role: AgentRole, input: AgentInput) async -> AgentAnalysis {
        do {
            let verdict = try await ask(analysis, role: role, input: input)
            var refined = analysis
            refined.analysis = verdict.analysis + " (reviewed by \(configuration.model))"
            refined.keyFindings = verdict.keyFindings.isEmpty ? analysis.keyFindings : verdict.keyFindings
            refined.recommendations = verdict.recommendations.isEmpty ? analysis.recommendations : verdict.recommendations
            refined.confidence = (min(1, max(0, verdict.confidence)) * 100).rounded() / 100
            return refined
        } catch {
            var fallback = analysis
            fallback.keyFindings.append("LLM \(configuration.model) not used (\(error)); rule-based analysis kept")
            return fallback
        }
    }

    private func ask(_ analysis: AgentAnalysis, role: AgentRole, input: AgentInput) async throws -> Verdict {
        let signal = String(decoding: try EngineJSON.encode(input.signal), as: UTF8.self)
        let own = String(decoding: try EngineJSON.encode(analysis), as: UTF8.self)
        let system = "You are the \(role.agentName) of a security operations centre. Review the rule-based analysis of the signal and answer with a JSON object {\"analysis\": string, \"key_findings\": [string], \"recommendations\": [string], \"confidence\": number between 0 and 1}. Use only the evidence given."
        let request: [String: JSONValue] = [
            "model": .string(configuration.model),
            "temperature": .number(0),
            "response_format": .object(["type": .string("json_object")]),
            "messages": .array([
                .object(["role": .string("system"), "content": .string(system)]),
                .object(["role": .string("user"), "content": .string("Signal: \(signal)\nRule-based analysis: \(own)")]),
            ]),
        ]
        let url = configuration.baseURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/chat/completions"
        let body = try await CurlRequest(url: url, timeout: configuration.timeout,
                                         headers: ["Authorization: Bearer \(configuration.apiKey)"], postBody: try EngineJSON.encode(request)).perform()
        guard let content = try? JSONDecoder().decode(Reply.self, from: body).choices.first?.message.content else {
            throw CurlError(message: "the reply is not a chat completion")
        }
        guard let verdict = try? JSONDecoder().decode(Verdict.self, from: Data(content.utf8)) else {
            throw CurlError(message: "the model's answer is not the requested JSON object")
        }
        return verdict
    }
}
