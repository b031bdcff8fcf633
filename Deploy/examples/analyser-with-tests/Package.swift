// swift-tools-version: 6.1
import PackageDescription

// An analyser built on Tributary, with tests written only against its test kit. It depends
// on Tributary by path; a project of its own would name Tributary's repository instead.
let package = Package(
    name: "analyser-with-tests",
    platforms: [.macOS(.v15)],
    products: [.library(name: "SentenceAnalysis", targets: ["SentenceAnalysis"])],
    dependencies: [.package(name: "Tributary", path: "../../..")],
    targets: [
        // A custom analyse_batch handler in Swift: scores a dimension by the share of
        // sentences that use one of its phrases.
        .target(name: "SentenceAnalysis", dependencies: [.product(name: "TributaryCore", package: "Tributary")]),
        .testTarget(
            name: "SentenceAnalysisTests",
            dependencies: [
                "SentenceAnalysis",
                .product(name: "TributaryTesting", package: "Tributary"),
                .product(name: "TributaryClient", package: "Tributary"),
                .product(name: "TributaryCore", package: "Tributary"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
