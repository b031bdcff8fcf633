// swift-tools-version: 6.1
import PackageDescription

/// Upcoming language features every target opts into: explicit `any`, and imports that are
/// visible only where a file declares them.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Tributary",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AMQP", targets: ["AMQP"]),
        // The message contract: experiments, tasks, results, and the TaskHandler an agent runs.
        .library(name: "TributaryCore", targets: ["TributaryCore"]),
        .library(name: "TributaryClient", targets: ["TributaryClient"]),
        .library(name: "TributaryServices", targets: ["TributaryServices"]),
        // A pipeline inside a test, for the people who build on Tributary (Docs/testing.md).
        .library(name: "TributaryTesting", targets: ["TributaryTesting"]),
        .executable(name: "orchestrator", targets: ["orchestrator"]),
        .executable(name: "pre-test-agent", targets: ["pre-test-agent"]),
        .executable(name: "analyse-batch-agent", targets: ["analyse-batch-agent"]),
        .executable(name: "corpus-synthesis-agent", targets: ["corpus-synthesis-agent"]),
        .executable(name: "tributary", targets: ["tributary"]),
        .executable(name: "tributary-all", targets: ["tributary-all"]),
        .executable(name: "tributary-console", targets: ["tributary-console"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context.git", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // OTLP over HTTP only: the gRPC exporter would add grpc-swift to every build.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        // The shared store of several orchestrators.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // The language-model lane's HTTP client.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // C shims.
        .systemLibrary(name: "CRabbitMQ", pkgConfig: "librabbitmq", providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // The AMQP layer: no Tributary knowledge.
        .target(
            name: "AMQP",
            dependencies: ["CRabbitMQ", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        // Pure logic: the message contract and the orchestration state machine. No transport, no database.
        .target(
            name: "TributaryCore",
            // The content store's SHA-256 names cached analyses; it has no dependencies of its own.
            dependencies: ["TributaryContentStore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // The orchestrator's store, apart from any database: the protocol, the records' column
        // layout and the SQL every backend shares. It links no database.
        .target(
            name: "TributaryStore",
            dependencies: ["TributaryCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // The store in one SQLite file, for one orchestrator.
        .target(name: "TributarySQLiteStore", dependencies: ["TributaryCore", "TributaryStore", "CSQLite"], swiftSettings: swiftSettings),
        // The same store on PostgreSQL, shared by several orchestrators.
        .target(
            name: "TributaryPostgresStore",
            dependencies: [
                "TributaryCore", "TributaryStore", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Picks the backend a --database value names; the only module that links them all.
        .target(
            name: "TributaryStores",
            dependencies: [
                "TributaryStore", "TributarySQLiteStore", "TributaryPostgresStore", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Blobs named by their SHA-256 on a shared volume: document texts and large synthesis inputs.
        .target(name: "TributaryContentStore", swiftSettings: swiftSettings),
        // report.html: the report with charts, drawn by a vendored Vega (see Vendor/).
        .target(
            name: "TributaryReportPage", dependencies: ["TributaryCore"], exclude: ["Vendor/make-vega-bundle.py", "Vendor/vega-copyright"],
            swiftSettings: swiftSettings),
        .target(
            name: "TributaryAnalysis",
            dependencies: ["TributaryCore", "TributaryContentStore", .product(name: "Subprocess", package: "swift-subprocess")],
            swiftSettings: swiftSettings
        ),
        // Chat Completions over HTTP for the language-model analyser; the analysis itself stays
        // in TributaryAnalysis, which links no HTTP client.
        .target(
            name: "TributaryLLMClient",
            dependencies: [
                "TributaryAnalysis", "TributaryCore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TributaryExperimentFiles",
            dependencies: ["TributaryCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),

        // What a user's program links to submit and follow experiments.
        .target(
            name: "TributaryClient",
            dependencies: [
                "AMQP", "TributaryCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            swiftSettings: swiftSettings
        ),
        // The server side: orchestrator, agent runtime, outbox, dead-lettering.
        .target(
            name: "TributaryServices",
            dependencies: [
                "AMQP", "TributaryCore", "TributaryStore", "TributaryClient", "TributaryObservability",
                "TributaryContentStore", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "TributaryContentStore",
            ],
            swiftSettings: swiftSettings
        ),
        // What every service serves over HTTP (metrics, health) and how it exports traces.
        .target(
            name: "TributaryObservability",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),

        // Options shared by the executables; the agent options link the services, the rest do not.
        .target(
            name: "TributaryCommandLine",
            dependencies: [
                "AMQP", "TributaryClient", "TributaryContentStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TributaryAgentCommandLine",
            dependencies: [
                "TributaryCommandLine", "TributaryCore", "TributaryServices", "TributaryAnalysis", "TributaryObservability",
                "TributaryContentStore", "TributaryLLMClient", "TributaryClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The commands: the client CLI (no SQLite, no services) and the services'.
        .target(
            name: "TributaryCLI",
            dependencies: [
                "TributaryCommandLine", "TributaryClient", "TributaryCore", "TributaryExperimentFiles", "TributaryContentStore", "TributaryAnalysis",
                "TributaryReportPage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TributaryServiceCommands",
            dependencies: [
                "TributaryCommandLine", "TributaryAgentCommandLine", "TributaryServices", "TributaryStore", "TributaryStores", "TributaryObservability",
                "TributaryAnalysis", "TributaryCore", "TributaryExperimentFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The web console: pages and an API over the contract (status, list, control requests),
        // behind tokens with roles. It never opens an orchestrator's database.
        .target(
            name: "TributaryConsole",
            dependencies: [
                "TributaryClient", "TributaryCore", "TributaryCommandLine", "TributaryObservability", "TributaryServices", "AMQP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                "TributaryContentStore", "TributaryReportPage",
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Thin executables: one per service, the CLI, and all of them in one binary for images.
        .executableTarget(
            name: "orchestrator",
            dependencies: ["TributaryServiceCommands", "TributaryCommandLine"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "pre-test-agent",
            dependencies: ["TributaryServiceCommands", "TributaryCommandLine"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "analyse-batch-agent",
            dependencies: ["TributaryServiceCommands", "TributaryCommandLine"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "corpus-synthesis-agent",
            dependencies: ["TributaryServiceCommands", "TributaryCommandLine"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tributary",
            dependencies: ["TributaryCLI", "TributaryCommandLine"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tributary-all",
            dependencies: ["TributaryCLI", "TributaryServiceCommands", "TributaryCommandLine", "TributaryConsole"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tributary-console",
            dependencies: ["TributaryConsole", "TributaryCommandLine"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "amqp-bench",
            dependencies: ["AMQP", "CRabbitMQ", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Benchmarks/amqp-bench",
            swiftSettings: swiftSettings
        ),

        // The test kit: a pipeline of the real executables, or of handlers in process, on a
        // local broker in a namespace of its own, driven by the production client.
        .target(
            name: "TributaryTesting",
            dependencies: [
                "AMQP", "TributaryClient", "TributaryCore", "TributaryServices", "TributaryObservability",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Tests. Suites that need a broker run only when TRIBUTARY_TEST_AMQP_URL is set, those that
        // need PostgreSQL only when TRIBUTARY_TEST_POSTGRES_URL is set.
        .target(
            name: "TributaryTestSupport",
            dependencies: [
                "TributaryCore", "TributaryStore", "TributaryTesting", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "AMQPTests", dependencies: ["TributaryTestSupport", "AMQP", "CRabbitMQ"], swiftSettings: swiftSettings),
        .testTarget(name: "TributaryCoreTests", dependencies: ["TributaryTestSupport", "TributaryCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TributarySQLiteStoreTests",
            dependencies: ["TributaryTestSupport", "TributaryCore", "TributaryStore", "TributarySQLiteStore", "CSQLite"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TributaryAnalysisTests",
            dependencies: ["TributaryTestSupport", "TributaryTesting", "TributaryAnalysis", "TributaryCore", "TributaryContentStore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TributaryExperimentFilesTests",
            dependencies: ["TributaryTestSupport", "TributaryExperimentFiles", "TributaryAnalysis", "TributaryCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TributaryClientTests",
            dependencies: [
                "TributaryTestSupport", "TributaryClient", "TributaryCore", "AMQP",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TributaryCommandLineTests",
            dependencies: [
                "TributaryCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TributaryServicesTests",
            dependencies: [
                "TributaryTestSupport", "TributaryTesting", "TributaryServices", "TributaryObservability", "TributaryCore", "TributaryAnalysis", "AMQP",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TributaryPostgresStoreTests",
            dependencies: [
                "TributaryTestSupport", "TributaryCore", "TributaryStore", "TributaryPostgresStore",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TributaryContentStoreTests", dependencies: ["TributaryContentStore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TributaryObservabilityTests",
            dependencies: [
                "TributaryObservability", "TributaryTestSupport", "TributaryTesting", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"), .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "AMQPIntegrationTests",
            dependencies: ["TributaryTestSupport", "TributaryTesting", "AMQP", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineIntegrationTests",
            dependencies: [
                "TributaryTestSupport", "TributaryTesting", "AMQP", "TributaryCore", "TributaryClient", "TributaryServices", "TributaryAnalysis",
                "TributaryStore",
                "TributaryStores", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "TributaryContentStore",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TributaryConsoleTests",
            dependencies: ["TributaryConsole", "TributaryCore", "TributaryTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TributaryReportPageTests", dependencies: ["TributaryReportPage", "TributaryCore"], swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
