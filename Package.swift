// swift-tools-version:6.1
import PackageDescription

// Language mode 5 keeps the concurrency checker advisory while the module boundaries settle;
// every module still builds without warnings.
let settings: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "vigil",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .executable(name: "vigil-fixture", targets: ["vigil-fixture"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
    ],
    targets: [
        // Thin C shims: process spawning, pidfds, epoll, zlib; libcurl as a system library.
        .target(
            name: "CVigilSys",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("z")]
        ),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),

        .target(
            name: "VigilManifest",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: settings
        ),
        .target(
            name: "VigilSupervisor",
            dependencies: [
                "VigilManifest", "CVigilSys", "CCurl",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                // Probe durations and failures; VigilTelemetry bootstraps the Prometheus backend.
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: settings
        ),
        // Prometheus registry and metric definitions, systemd notify/watchdog, logging.
        .target(
            name: "VigilTelemetry",
            dependencies: [
                "VigilSupervisor", "VigilManifest", "CSystemd",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        // Rollouts: the persisted rollout state machine, analysis, the builtin router (SwiftNIO)
        // and the nginx router.
        .target(
            name: "VigilDeploy",
            dependencies: [
                "VigilSupervisor", "VigilManifest", "CCurl",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        // Disk reclaim: the watch, the pure planner, and deletion that never leaves a watched path.
        .target(
            name: "VigilReclaim",
            dependencies: [
                "VigilSupervisor", "VigilManifest", "VigilDeploy",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "VigilControl",
            dependencies: [
                "VigilSupervisor", "VigilManifest", "VigilDeploy", "VigilReclaim", "CCurl",
                .product(name: "Hummingbird", package: "hummingbird"),
                // SO_PEERCRED of a socket peer, read through NIO's SocketOptionProvider.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "SOCEngine",
            dependencies: [
                // Only for the control API's own types (SupervisorEvent, EventKind): the engine
                // is one more client of that API, like the CLI.
                "CCurl", "VigilSupervisor",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Data files are embedded as generated Swift (scripts/embed-engine-data.py) so an installed
            // binary needs no resource bundle beside it; the JSON/YAML sources stay here for review.
            exclude: ["DataFiles"],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "vigil",
            dependencies: [
                "VigilManifest", "VigilSupervisor", "VigilControl", "VigilTelemetry", "VigilDeploy", "VigilReclaim", "SOCEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        // The test workload: Glibc only, so hundreds of copies start fast and stay small.
        .executableTarget(name: "vigil-fixture", swiftSettings: settings),
        // Drives the builtin router outside XCTest for Benchmarks/router/run.sh; not a product.
        .executableTarget(
            name: "vigil-router-bench", dependencies: ["VigilDeploy", "VigilManifest"],
            path: "Benchmarks/router/vigil-router-bench", swiftSettings: settings
        ),

        .target(name: "VigilTestKit", dependencies: ["VigilManifest", "VigilSupervisor", "VigilControl"], path: "Tests/VigilTestKit", swiftSettings: settings),
        .testTarget(name: "VigilManifestTests", dependencies: ["VigilManifest", "VigilTestKit"], swiftSettings: settings),
        .testTarget(name: "VigilSupervisorTests", dependencies: ["VigilSupervisor", "VigilManifest", "VigilTestKit"], swiftSettings: settings),
        .testTarget(name: "VigilControlTests", dependencies: ["VigilControl", "VigilSupervisor", "VigilDeploy", "VigilTestKit"], swiftSettings: settings),
        .testTarget(name: "VigilTelemetryTests", dependencies: ["VigilTelemetry", "VigilSupervisor", "VigilTestKit"], swiftSettings: settings),
        .testTarget(
            name: "VigilDeployTests",
            dependencies: [
                "VigilDeploy", "VigilSupervisor", "VigilManifest", "VigilTestKit",
                // The router's encoders are checked byte for byte against NIO's on an EmbeddedChannel.
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: settings
        ),
        .testTarget(name: "VigilReclaimTests", dependencies: ["VigilReclaim", "VigilManifest", "VigilSupervisor", "VigilTestKit"], swiftSettings: settings),
        // Browser/ holds the dashboard's selenium script, which DashboardBrowserTests runs.
        .testTarget(name: "SOCEngineTests", dependencies: ["SOCEngine", "VigilSupervisor", "VigilTestKit"], exclude: ["Browser"], swiftSettings: settings),
    ]
)
