// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "swift-kv",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KV", targets: ["KV"]),
        .library(name: "KVCore", targets: ["KVCore"]),
        .library(name: "KVMemory", targets: ["KVMemory"]),
        .library(name: "KVConformance", targets: ["KVConformance"]),
        .library(name: "KVRedis", targets: ["KVRedis"]),
        .library(name: "KVRedisConnection", targets: ["KVRedisConnection"]),
        .library(name: "KVSoak", targets: ["KVSoak"]),
        .library(name: "KVRing", targets: ["KVRing"]),
        .library(name: "KVCluster", targets: ["KVCluster"]),
        .executable(name: "kv", targets: ["KVCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // The contract: protocol, errors, options, health, Codable client, configuration, registry.
        .target(
            name: "KVCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The conformance suite every backend (built-in or third-party) runs.
        .target(name: "KVConformance", dependencies: ["KVCore"]),

        // Backends.
        .target(name: "KVMemory", dependencies: ["KVCore"], path: "Backends/Memory"),
        .systemLibrary(
            name: "CHiredis", path: "Backends/CHiredis", pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"]), .brew(["hiredis"])]),
        // Connections, pools, pipelining: shared by the redis, ring and cluster backends.
        .target(
            name: "KVRedisConnection",
            dependencies: [
                "KVCore", "CHiredis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Backends/RedisConnection"),
        .target(name: "KVRedis", dependencies: ["KVCore", "KVRedisConnection"], path: "Backends/Redis"),
        .target(
            name: "KVRing",
            dependencies: [
                "KVCore", "KVRedisConnection", "KVRedis",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Backends/Ring"),
        .target(name: "KVCluster", dependencies: ["KVCore", "KVRedisConnection", "KVRedis"], path: "Backends/Cluster"),
        // The raw-C hiredis loops that `kv bench` measures beside the Swift rows.
        .target(name: "CHiredisBaseline", dependencies: ["CHiredis"]),

        // Umbrella: registers every built-in backend.
        .target(name: "KV", dependencies: ["KVCore", "KVMemory", "KVRedis", "KVRing", "KVCluster"]),

        // A verified load for fault drills (`kv soak`, fault tests).
        .target(name: "KVSoak", dependencies: ["KVCore"]),

        // The `kv` command-line tool.
        .executableTarget(
            name: "KVCommand",
            dependencies: [
                "KV", "KVSoak", "CHiredisBaseline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Examples, each runnable with `swift run NAME`.
        .target(name: "ExampleSupport", dependencies: ["KV", .product(name: "Logging", package: "swift-log")], path: "Examples/ExampleSupport"),
        .executableTarget(name: "SessionStore", dependencies: ["ExampleSupport", "KV"], path: "Examples/SessionStore"),
        .executableTarget(name: "BatchPipeline", dependencies: ["ExampleSupport", "KV"], path: "Examples/BatchPipeline"),
        .executableTarget(
            name: "BackendSwap", dependencies: ["ExampleSupport", "KV", .product(name: "Logging", package: "swift-log")],
            path: "Examples/BackendSwap", exclude: ["configs"]),
        .executableTarget(
            name: "HealthMonitor",
            dependencies: [
                "ExampleSupport", "KV", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/HealthMonitor"),
        // Every Swift sample in docs/, compiled (Tests/DocsTests checks that the docs and this target agree).
        .target(
            name: "KVSnippets",
            dependencies: [
                "KV", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/Snippets"),
        .testTarget(name: "DocsTests", dependencies: ["KVSnippets", "KVConformance"]),

        .testTarget(name: "KVCoreTests", dependencies: ["KVCore", "KVMemory", "KVSoak"]),
        .testTarget(name: "KVMemoryTests", dependencies: ["KVMemory", "KVConformance", "CHeapProbe"]),
        // Reads the C heap's size, for the memory store's byte-accounting test.
        .target(name: "CHeapProbe", path: "Tests/CHeapProbe"),
        .testTarget(
            name: "KVCommandTests",
            dependencies: ["KVCommand", "KVTestSupport", "SessionStore", "BatchPipeline", "BackendSwap", "HealthMonitor"]),
        .testTarget(name: "KVRedisTests", dependencies: ["KVRedis", "KVRedisConnection", "KVConformance", "KVTestSupport", "KVSoak"]),
        .testTarget(name: "KVRingTests", dependencies: ["KVRing", "KVConformance", "KVTestSupport", "KVSoak"]),
        .testTarget(name: "KVClusterTests", dependencies: ["KVCluster", "KVConformance", "KVTestSupport", "KVSoak"]),
        .target(name: "KVTestSupport", dependencies: ["KVCore"], path: "Tests/KVTestSupport"),
    ]
)
