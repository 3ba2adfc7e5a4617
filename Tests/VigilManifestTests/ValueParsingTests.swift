import VigilManifest
import XCTest

final class ValueParsingTests: XCTestCase {
    func testDurationsInEveryUnitAndCombination() {
        XCTAssertEqual(DurationFormat.parse("500ms"), .milliseconds(500))
        XCTAssertEqual(DurationFormat.parse("10s"), .seconds(10))
        XCTAssertEqual(DurationFormat.parse("5m"), .seconds(300))
        XCTAssertEqual(DurationFormat.parse("1h"), .seconds(3600))
        XCTAssertEqual(DurationFormat.parse("1m30s"), .seconds(90))
        XCTAssertEqual(DurationFormat.parse("1h2m3s4ms"), .seconds(3723) + .milliseconds(4))
        XCTAssertEqual(DurationFormat.parse("1.5s"), .milliseconds(1500))
        XCTAssertEqual(DurationFormat.parse("0.1s"), .milliseconds(100))
        XCTAssertEqual(DurationFormat.parse("250us"), .microseconds(250))
        XCTAssertEqual(DurationFormat.parse("7ns"), .nanoseconds(7))
        XCTAssertEqual(DurationFormat.parse("0s"), .zero)
        XCTAssertEqual(DurationFormat.parse("0"), .zero)
    }

    func testMalformedDurationsAreRejected() {
        for text in ["", "10", "s", "10x", "-5s", "1.2.3s", "5 m", "ms", "1h-", ".s", "99999999999999999999h", "1e3s"] {
            XCTAssertNil(DurationFormat.parse(text), "'\(text)' should not parse")
        }
    }

    func testDurationFormatIsShortestAndRoundTrips() {
        XCTAssertEqual(DurationFormat.format(.seconds(90)), "1m30s")
        XCTAssertEqual(DurationFormat.format(.milliseconds(500)), "500ms")
        XCTAssertEqual(DurationFormat.format(.zero), "0s")
        XCTAssertEqual(DurationFormat.format(.seconds(3600)), "1h")
        XCTAssertEqual(DurationFormat.format(.milliseconds(1500)), "1s500ms")
        XCTAssertEqual(DurationFormat.format(.nanoseconds(1_001)), "1us1ns")
        for d: Duration in [.seconds(5400), .milliseconds(1), .nanoseconds(123_456_789), .seconds(86_400 * 3) + .microseconds(7)] {
            XCTAssertEqual(DurationFormat.parse(DurationFormat.format(d)), d, DurationFormat.format(d))
        }
    }

    func testSizes() {
        XCTAssertEqual(ByteSize(parsing: "512Ki")?.bytes, 512 * 1024)
        XCTAssertEqual(ByteSize(parsing: "256Mi")?.bytes, 256 << 20)
        XCTAssertEqual(ByteSize(parsing: "2Gi")?.bytes, 2 << 30)
        XCTAssertEqual(ByteSize(parsing: "1Ti")?.bytes, 1 << 40)
        XCTAssertEqual(ByteSize(parsing: "1048576")?.bytes, 1_048_576)
        XCTAssertEqual(ByteSize(parsing: "0")?.bytes, 0)
        for text in ["", "10MB", "10M", "1.5Gi", "-1", "Ki", "10 Mi", "99999999999Ti"] {
            XCTAssertNil(ByteSize(parsing: text), "'\(text)' should not parse")
        }
        XCTAssertEqual(ByteSize(parsing: "10Mi")?.description, "10Mi")
    }

    func testRatios() {
        XCTAssertEqual(ByteSize(parsing: "1")?.bytes, 1)
        XCTAssertEqual(Ratio(parsing: "0.01")?.value, 0.01)
        XCTAssertEqual(Ratio(parsing: "1%")?.value ?? 0, 0.01, accuracy: 1e-12)
        XCTAssertEqual(Ratio(parsing: "100%")?.value, 1)
        XCTAssertEqual(Ratio(parsing: "0%")?.value, 0)
        XCTAssertEqual(Ratio(parsing: "1")?.value, 1)
        XCTAssertEqual(Ratio(parsing: "12.5%")?.value ?? 0, 0.125, accuracy: 1e-12)
        for text in ["", "1.5", "150%", "-0.1", "%", "abc", "5 %%", "1e-2"] {
            XCTAssertNil(Ratio(parsing: text), "'\(text)' should not parse")
        }
    }

    func testHostPortsAndSignals() {
        XCTAssertEqual(HostPort(parsing: "127.0.0.1:9470"), HostPort(host: "127.0.0.1", port: 9470))
        XCTAssertEqual(HostPort(parsing: "[::1]:8080"), HostPort(host: "::1", port: 8080))
        XCTAssertEqual(HostPort(parsing: "localhost:1")?.port, 1)
        for text in ["8080", ":8080", "host:", "host:0", "host:65536", "::1:80", "a b:80"] {
            XCTAssertNil(HostPort(parsing: text), "'\(text)' should not parse")
        }
        XCTAssertEqual(SignalName(parsing: "SIGTERM"), .term)
        XCTAssertEqual(SignalName(parsing: "TERM"), .term)
        XCTAssertEqual(SignalName(parsing: "15"), .term)
        XCTAssertEqual(SignalName(parsing: "sigint")?.number, 2)
        XCTAssertEqual(SignalName(parsing: "QUIT")?.name, "SIGQUIT")
        XCTAssertNil(SignalName(parsing: "SIGFOO"))
        XCTAssertNil(SignalName(parsing: "99"))
    }
}
