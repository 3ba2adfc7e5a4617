import Foundation
@testable import SOCEngine
import XCTest

final class SignalValidationTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_795_000_000)

    private func failure(_ body: String) -> SignalValidator.Failure? {
        do {
            _ = try SignalValidator.signal(from: Array(body.utf8), now: now)
            return nil
        } catch {
            return error
        }
    }

    func testValidSignalKeepsEvidenceAndTimestamp() throws {
        let body = #"{"threat_type":"bot_traffic","customer_name":" acme_corp ","timestamp":"2026-11-21T17:03:00.250Z","metadata":{"source_ip":"203.0.113.7","requests_per_minute":"4200","extra":{"k":[1,2]}}}"#
        let signal = try SignalValidator.signal(from: Array(body.utf8), now: now)
        XCTAssertEqual(signal.threatType, .botTraffic)
        XCTAssertEqual(signal.customerName, "acme_corp")
        XCTAssertEqual(ISO8601.format(signal.timestamp), "2026-11-21T17:03:00.250Z")
        let evidence = Evidence(metadata: signal.metadata)
        XCTAssertEqual(evidence.requestsPerMinute, 4200)
        XCTAssertEqual(evidence.subnet, "203.0.113.0/24")
        XCTAssertEqual(signal.metadata["extra"], .object(["k": .array([.number(1), .number(2)])]))
    }

    func testMissingTimestampUsesArrivalTime() throws {
        let signal = try SignalValidator.signal(from: Array(#"{"threat_type":"geo_anomaly","customer_name":"x"}"#.utf8), now: now)
        XCTAssertEqual(signal.timestamp, now)
        XCTAssertEqual(signal.metadata, [:])
    }

    func testEveryErrorNamesTheField() {
        let cases: [(String, String, String)] = [
            (#"{"customer_name":"a"}"#, "threat_type", "required"),
            (#"{"threat_type":"phishing","customer_name":"a"}"#, "threat_type", "'phishing'"),
            (#"{"threat_type":7,"customer_name":"a"}"#, "threat_type", "a number"),
            (#"{"threat_type":"bot_traffic"}"#, "customer_name", "required"),
            (#"{"threat_type":"bot_traffic","customer_name":""}"#, "customer_name", "1 to 128"),
            (#"{"threat_type":"bot_traffic","customer_name":"a","timestamp":"yesterday"}"#, "timestamp", "'yesterday'"),
            (#"{"threat_type":"bot_traffic","customer_name":"a","metadata":[1]}"#, "metadata", "an array"),
            (#"{"threat_type":"bot_traffic","customer_name":"a","metadata":{"source_ip":"999.1.1.1"}}"#, "metadata.source_ip", "'999.1.1.1'"),
            (#"{"threat_type":"bot_traffic","customer_name":"a","metadata":{"requests_per_minute":-3}}"#, "metadata.requests_per_minute", "≥ 0"),
            (#"{"threat_type":"bot_traffic","customer_name":"a","metadata":{"bot_score":3}}"#, "metadata.bot_score", "0 to 1"),
            (#"{"threat_type":"bot_traffic","customer_name":"a","metadata":{"indicators":"x"}}"#, "metadata.indicators", "array of strings"),
            ("not json", "body", "not valid JSON"),
            ("[1,2]", "body", "an array"),
        ]
        for (body, field, fragment) in cases {
            guard let failure = failure(body) else {
                XCTFail("\(body) should be rejected")
                continue
            }
            XCTAssertEqual(failure.field, field, body)
            XCTAssertTrue(failure.message.hasPrefix(field + ":"), "\(failure.message) should start with the field")
            XCTAssertTrue(failure.message.contains(fragment), "\(failure.message) should mention \(fragment)")
        }
    }

    func testIPv6SourcesAreAcceptedAndGroupedBy64() throws {
        let signal = try SignalValidator.signal(from: Array(#"{"threat_type":"proxy_network","customer_name":"a","metadata":{"source_ip":"2001:db8:1:2::17"}}"#.utf8), now: now)
        XCTAssertEqual(Evidence(metadata: signal.metadata).subnet, "2001:db8:1:2::/64")
        XCTAssertNotNil(failure(#"{"threat_type":"proxy_network","customer_name":"a","metadata":{"source_ip":"2001:db8::1::2"}}"#))
    }

    func testCIDRMatching() throws {
        let network = try XCTUnwrap(IPv4Network("66.249.64.0/19"))
        XCTAssertTrue(network.contains(try XCTUnwrap(IPv4Address("66.249.95.255"))))
        XCTAssertFalse(network.contains(try XCTUnwrap(IPv4Address("66.249.96.0"))))
        XCTAssertNil(IPv4Network("66.249.64.0/33"))
        XCTAssertNil(IPv4Address("1.2.3"))
    }

    func testAnalysisEncodesWithSpecFieldNames() throws {
        let signal = SecuritySignal(id: "s", threatType: .geoAnomaly, customerName: "c", timestamp: now, metadata: [:])
        let data = try EngineJSON.encode(signal)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["id", "threat_type", "customer_name", "timestamp", "metadata"])
        XCTAssertEqual(object["timestamp"] as? String, ISO8601.format(now))
        XCTAssertEqual(try EngineJSON.decoder.decode(SecuritySignal.self, from: data), signal)
    }
}

final class AnalysisJSONTests: XCTestCase {
    func testTheFastWriterRoundTripsEveryScenarioAndMatchesCodableFieldNames() async throws {
        let knowledge = try EngineKnowledge.embedded()
        let engine = ThreatCoordinator(knowledge: knowledge, history: HistoryIndex(), agents: ThreatCoordinator.standardAgents(events: nil))
        let generator = ThreatGenerator(knowledge: knowledge, seed: 11)
        var signals = ThreatGenerator.Scenario.allCases.map { generator.signal(scenario: $0) }
        signals += ThreatType.allCases.map { generator.signal(type: $0) }
        signals.append(SecuritySignal(id: "q\"\\\n\u{1}é", threatType: .botTraffic, customerName: "ümlaut \"quoted\"", timestamp: Date(timeIntervalSince1970: 1.5),
                                      metadata: ["nested": .object(["a": .array([.null, .bool(true), .number(1.25), .string("x\ty")])])]))
        for signal in signals {
            var analysis = await engine.analyze(signal)
            analysis.analystNote = "note"
            analysis.verdictAt = Date(timeIntervalSince1970: 1_800_000_000.5)
            let fast = analysis.jsonData()
            var decoded = try EngineJSON.decoder.decode(ThreatAnalysis.self, from: fast)
            XCTAssertEqual(ISO8601.format(decoded.createdAt), ISO8601.format(analysis.createdAt))
            decoded.createdAt = analysis.createdAt
            decoded.signal.timestamp = analysis.signal.timestamp
            decoded.verdictAt = analysis.verdictAt
            for index in decoded.investigationTimeline.events.indices {
                decoded.investigationTimeline.events[index].timestamp = analysis.investigationTimeline.events[index].timestamp
            }
            XCTAssertEqual(decoded, analysis)
            let fastKeys = try XCTUnwrap(JSONSerialization.jsonObject(with: fast) as? [String: Any]).keys
            let codableKeys = try XCTUnwrap(JSONSerialization.jsonObject(with: EngineJSON.encode(analysis)) as? [String: Any]).keys
            XCTAssertTrue(Set(codableKeys).isSubset(of: Set(fastKeys)), "every Codable field is written")
            XCTAssertTrue(fastKeys.contains("review_reason"), "review_reason is always present, null when no review is needed")
        }
    }
}
