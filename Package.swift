// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Tributary",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AMQP", targets: ["AMQP"]),
        .library(name: "TributaryServices", targets: ["TributaryServices"]),
        .executable(name: "orchestrator", targets: ["orchestrator"]),
        .executable(name: "pre-test-agent", targets: ["pre-test-agent"]),
        .executable(name: "analyse-batch-agent", targets: ["analyse-batch-agent"]),
        .executable(name: "corpus-synthesis-agent", targets: ["corpus-synthesis-agent"]),
        .executable(name: "tributary", targets: ["tributary"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CRabbitMQ",
            pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]
        ),
        .target(
            name: "AMQP",
            dependencies: [
                "CRabbitMQ",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "TributaryCore"),
        .target(
            name: "TributaryStore",
            dependencies: ["TributaryCore", "CSQLite"]
        ),
        .target(
            name: "TributaryServices",
            dependencies: [
                "AMQP", "TributaryCore", "TributaryStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "TributaryAnalysis", dependencies: ["TributaryCore"]),
        .target(
            name: "TributaryExperimentFiles",
            dependencies: ["TributaryCore", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "TributaryCommandLine",
            dependencies: [
                "AMQP", "TributaryCore", "TributaryServices", "TributaryExperimentFiles", "TributaryAnalysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(name: "orchestrator", dependencies: ["TributaryCommandLine", "TributaryStore"]),
        .executableTarget(name: "pre-test-agent", dependencies: ["TributaryCommandLine", "TributaryAnalysis"]),
        .executableTarget(name: "analyse-batch-agent", dependencies: ["TributaryCommandLine", "TributaryAnalysis"]),
        .executableTarget(name: "corpus-synthesis-agent", dependencies: ["TributaryCommandLine", "TributaryAnalysis"]),
        .executableTarget(name: "tributary", dependencies: ["TributaryCommandLine", "TributaryExperimentFiles"]),
        .executableTarget(
            name: "amqp-bench",
            dependencies: [
                "AMQP",
                "CRabbitMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Benchmarks/amqp-bench"
        ),
        .target(name: "TributaryTestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "AMQPTests",
            dependencies: ["TributaryTestSupport", "AMQP", "CRabbitMQ"]
        ),
        .testTarget(
            name: "TributaryCoreTests",
            dependencies: ["TributaryTestSupport", "TributaryCore", "TributaryStore"]
        ),
        .testTarget(
            name: "TributaryAnalysisTests",
            dependencies: ["TributaryAnalysis", "TributaryCore", "TributaryExperimentFiles"]
        ),
        .testTarget(
            name: "TributaryServicesTests",
            dependencies: ["TributaryServices", "TributaryCore"]
        ),
        .testTarget(
            name: "PipelineIntegrationTests",
            dependencies: ["TributaryTestSupport", "AMQP", "TributaryCore", "TributaryServices"]
        ),
        .testTarget(
            name: "AMQPIntegrationTests",
            dependencies: ["TributaryTestSupport", "AMQP"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
