import Foundation
import VigilManifest
import VigilSupervisor

/// The optional `analysis.prometheus` check: an instant query (`GET /api/v1/query`) through
/// libcurl, its single value compared with `successCondition`.
///
/// Prometheus down or answering no data is inconclusive (the rollout asks again and the
/// progress deadline bounds the wait); a value outside the condition, or a condition that does not
/// parse, fails.
public struct PrometheusCheck: Sendable {
    public let spec: AnalysisSpec.Prometheus
    let client: CurlMulti
    let timeout: Duration

    public init(spec: AnalysisSpec.Prometheus, client: CurlMulti, timeout: Duration = .seconds(5)) {
        self.spec = spec
        self.client = client
        self.timeout = timeout
    }

    public func run() async -> AnalysisVerdict {
        let condition: SuccessCondition
        do {
            condition = try SuccessCondition(parsing: spec.successCondition)
        } catch {
            return .fail("\(error)")
        }
        let url = Self.queryURL(base: spec.url, query: spec.query)
        switch await client.get(url: url, timeout: timeout) {
        case .failure(let why):
            return .inconclusive("prometheus at \(spec.url) did not answer: \(why)")
        case .response(let status, let body):
            return Self.judge(status: status, body: body, condition: condition, query: spec.query)
        }
    }

    static func queryURL(base: String, query: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = query.addingPercentEncoding(withAllowedCharacters: allowed) ?? query
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return "\(trimmed)/api/v1/query?query=\(encoded)"
    }

    /// Reads Prometheus' answer: a `scalar`, or a `vector` with exactly one sample.
    static func judge(status: Int, body: [UInt8], condition: SuccessCondition, query: String) -> AnalysisVerdict {
        struct Answer: Decodable {
            /// `result` is `[time, "value"]` for a scalar, `[{"metric": {...}, "value": [time, "value"]}]` for a vector.
            struct Payload: Decodable {
                struct Series: Decodable { let value: [Sample] }
                let samples: [[Sample]]
                enum CodingKeys: String, CodingKey { case resultType, result }
                init(from decoder: any Decoder) throws {
                    let container = try decoder.container(keyedBy: CodingKeys.self)
                    switch try container.decode(String.self, forKey: .resultType) {
                    case "scalar": samples = [try container.decode([Sample].self, forKey: .result)]
                    case "vector": samples = try container.decode([Series].self, forKey: .result).map(\.value)
                    default: samples = []
                    }
                }
            }
            /// A sample is `[unixTime, "value"]`: a number then a string.
            enum Sample: Decodable {
                case number(Double), text(String)
                init(from decoder: any Decoder) throws {
                    let container = try decoder.singleValueContainer()
                    if let number = try? container.decode(Double.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
                }
            }
            let status: String
            let data: Payload?
            let error: String?
        }
        let shortQuery = query.count > 60 ? String(query.prefix(57)) + "..." : query
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)) else {
            return .inconclusive("prometheus answered HTTP \(status) with something that is not a query result")
        }
        guard answer.status == "success", let data = answer.data else {
            return .inconclusive("prometheus rejected the query (HTTP \(status)): \(answer.error ?? "no reason given")")
        }
        guard data.samples.count == 1, let samples = data.samples.first else {
            return .inconclusive("query `\(shortQuery)` returned \(data.samples.count) series; it must return exactly one value")
        }
        guard samples.count == 2, case .text(let text) = samples[1], let value = Double(text) else {
            return .inconclusive("query `\(shortQuery)` returned no number")
        }
        let verdict = "query `\(shortQuery)` = \(value.formatted())"
        return condition.holds(for: value) ? .pass("\(verdict) \(condition)") : .fail("\(verdict), not \(condition)")
    }
}
