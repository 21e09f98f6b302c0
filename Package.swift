// swift-tools-version:6.1
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // The project's own targets only: a dependency's warnings are not ours to fix.
    .unsafeFlags(["-warnings-as-errors"]),
]

let package = Package(
    name: "tinybug",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tinybug", targets: ["tinybug"]),
        .executable(name: "pull-request", targets: ["pull-request"]),
        .executable(name: "ci-completed", targets: ["ci-completed"]),
        .executable(name: "timer-fired", targets: ["timer-fired"]),
        .executable(name: "control", targets: ["control"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // Traces over OTLP/HTTP only: the gRPC exporter's dependencies are not built.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .target(name: "Hashing", dependencies: ["COpenSSL"], swiftSettings: settings),
        .target(name: "Workflow", swiftSettings: settings),
        .target(
            name: "Engine",
            dependencies: [
                "Workflow", "Hashing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: settings),
        .target(
            name: "Ingress",
            dependencies: ["Workflow", "Hashing", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: settings),
        .target(
            name: "Egress",
            dependencies: [
                "Workflow", "Engine", "Hashing", "Ingress",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: settings),
        .target(
            name: "Orchestration",
            dependencies: [
                "Workflow", "Engine", "Ingress", "Egress", "Hashing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: settings),
        .target(
            name: "FunctionRuntime",
            dependencies: [
                "Workflow", "Engine", "Ingress", "Egress", "Orchestration", "Hashing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            swiftSettings: settings),
        .target(
            name: "Simulators",
            dependencies: [
                "Hashing", "Workflow", "Engine", "Egress",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings),
        .executableTarget(
            name: "tinybug",
            dependencies: [
                "Workflow", "Engine", "Ingress", "Orchestration", "FunctionRuntime", "Simulators", "Hashing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings),
        .executableTarget(
            name: "tinybug-bench",
            dependencies: [
                "Ingress", "Hashing", "Workflow", "Engine", "Egress", "Simulators", "Orchestration", "FunctionRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/Sources/tinybug-bench",
            swiftSettings: settings),
        .executableTarget(
            name: "store-writer", dependencies: ["Engine"], path: "Tests/Tools/store-writer", swiftSettings: settings),
        .function("pull-request"),
        .function("ci-completed"),
        .function("timer-fired"),
        .function("control"),
        .testTarget(name: "WorkflowTests", dependencies: ["Workflow"], swiftSettings: settings),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Engine", "Workflow", "Hashing", "Egress", "Simulators",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings),
        .testTarget(
            name: "IngressTests",
            dependencies: [
                "Ingress", "Workflow", "Hashing", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: settings),
        .testTarget(
            name: "EgressTests",
            dependencies: [
                "Egress", "Workflow", "Engine", "Simulators",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings),
        .testTarget(
            name: "DeployTests",
            dependencies: ["FunctionRuntime", "Orchestration", .product(name: "Yams", package: "Yams")],
            swiftSettings: settings),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "FunctionRuntime", "Orchestration", "Simulators", "Engine", "Workflow", "Ingress", "Hashing", "Egress",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings),
    ]
)

extension Target {
    /// One small executable per event type; its code is `functions/<name>/`.
    static func function(_ name: String) -> Target {
        .executableTarget(
            name: name,
            dependencies: ["FunctionRuntime"],
            path: "functions/\(name)",
            exclude: ["README.md"],
            swiftSettings: settings)
    }
}

// libFuzzer targets (fuzz/README.md), only when asked for: `make fuzz` builds them with
// `-sanitize=fuzzer,address`, which provides their `main`.
if Context.environment["TINYBUG_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzSupport", path: "fuzz/Support", swiftSettings: settings))
    for name in ["signature", "payload", "diff", "planner", "junit", "cobertura", "lcov", "artifact"] {
        package.targets.append(
            .executableTarget(
                name: "fuzz-\(name)", dependencies: ["FuzzSupport", "Ingress", "Workflow", "Hashing"],
                path: "fuzz/\(name)",
                swiftSettings: settings))
    }
}
