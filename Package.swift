// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Tributary",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AMQP", targets: ["AMQP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
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
        .executableTarget(
            name: "amqp-bench",
            dependencies: [
                "AMQP",
                "CRabbitMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Benchmarks/amqp-bench"
        ),
        .testTarget(
            name: "AMQPTests",
            dependencies: ["AMQP", "CRabbitMQ"]
        ),
        .testTarget(
            name: "TributaryCoreTests",
            dependencies: ["TributaryCore", "TributaryStore"]
        ),
        .testTarget(
            name: "AMQPIntegrationTests",
            dependencies: ["AMQP"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
