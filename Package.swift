// swift-tools-version:6.1
import PackageDescription

/// The store modules an application (or an example, or the `kv` tool) imports beside `KV`, which re-exports only
/// the contract: the Redis-based ones with the Redis trait. KVFileConfiguration is empty without its trait (and
/// Yams is then not built), so it can be imported in every build.
/// The traits of the Redis-based store families, each of which needs the Redis engine; `Redis` enables them all.
let redisFamilies: Set<String> = ["RedisServer", "RedisRing", "RedisCluster", "RedisSentinel"]
let storeModules: [Target.Dependency] = ["KVMemory", "KVHealthMonitor", "KVFileConfiguration"] + [
    .target(name: "KVRedisConfiguration", condition: .when(traits: redisFamilies)),
    .target(name: "KVRedis", condition: .when(traits: ["RedisServer"])),
    .target(name: "KVRing", condition: .when(traits: ["RedisRing"])),
    .target(name: "KVCluster", condition: .when(traits: ["RedisCluster"])),
    .target(name: "KVSentinel", condition: .when(traits: ["RedisSentinel"])),
]

let package = Package(
    name: "swift-kv",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KV", targets: ["KV"]),
        .library(name: "KVCore", targets: ["KVCore"]),
        .library(name: "KVMemory", targets: ["KVMemory"]),
        .library(name: "KVConformance", targets: ["KVConformance"]),
        .library(name: "KVRedisConfiguration", targets: ["KVRedisConfiguration"]),
        .library(name: "KVRedis", targets: ["KVRedis"]),
        .library(name: "KVSoak", targets: ["KVSoak"]),
        .library(name: "KVRing", targets: ["KVRing"]),
        .library(name: "KVCluster", targets: ["KVCluster"]),
        .library(name: "KVSentinel", targets: ["KVSentinel"]),
        .library(name: "KVHealthMonitor", targets: ["KVHealthMonitor"]),
        .library(name: "KVFileConfiguration", targets: ["KVFileConfiguration"]),
        .library(name: "KVSwiftConfiguration", targets: ["KVSwiftConfiguration"]),
        .library(name: "KVHummingbird", targets: ["KVHummingbird"]),
        .library(name: "KVVapor", targets: ["KVVapor"]),
        .executable(name: "kv", targets: ["KVCommand"]),
    ],
    traits: [
        .trait(
            name: "Redis", description: "Every Redis-based store: redis, rediss, unix, ring, cluster and sentinel (needs libhiredis-dev and libssl-dev).",
            enabledTraits: redisFamilies),
        .trait(name: "RedisServer", description: "The redis, rediss and unix stores: one Redis server (needs libhiredis-dev and libssl-dev)."),
        .trait(name: "RedisRing", description: "The ring store: client-side sharding over Redis servers (needs libhiredis-dev and libssl-dev)."),
        .trait(name: "RedisCluster", description: "The cluster store: Redis Cluster (needs libhiredis-dev and libssl-dev)."),
        .trait(name: "RedisSentinel", description: "The sentinel store: a Redis master found through Sentinel (needs libhiredis-dev and libssl-dev)."),
        .trait(name: "FileConfiguration", description: "JSON and YAML configuration files (Yams), KV_CONFIG and `kv --config`."),
        .trait(name: "DistributedTracingSupport", description: "A client span per Redis store call (swift-distributed-tracing)."),
        .trait(name: "ConfigurationSupport", description: "Store configurations from apple/swift-configuration's ConfigReader."),
        .trait(name: "HummingbirdSupport", description: "A Hummingbird 2 PersistDriver over any store."),
        .trait(name: "VaporSupport", description: "A Vapor 4 Cache over any store, and app.caches.use(.kv(store))."),
        .default(enabledTraits: ["Redis", "FileConfiguration", "DistributedTracingSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        // Tests only: hummingbird-auth's own SessionTests run on KVPersistDriver (KVUpstreamTests).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/vapor/vapor", from: "4.122.0"),
        // `make docs` only: a command plugin, never built into the package's products.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The contract: protocol, errors, options, health, Codable client, configuration, registry.
        .target(
            name: "KVCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // JSON and YAML configuration files, KV_CONFIG (trait FileConfiguration): Yams stays out of the contract.
        .target(
            name: "KVFileConfiguration",
            dependencies: ["KVCore", .product(name: "Yams", package: "Yams", condition: .when(traits: ["FileConfiguration"]))]),
        // The conformance suite every backend (built-in or third-party) runs.
        .target(name: "KVConformance", dependencies: ["KVCore"]),

        // The Redis engine the redis, ring and cluster stores share (package access, no product): the transport
        // (its own TCP, Unix and TLS streams, hiredis as the protocol engine), commands and replies, the request
        // and batch engine with its retry policy, SCAN listing, health probes and option parsing.
        .systemLibrary(
            name: "CHiredis", path: "Sources/CHiredis",
            providers: [.apt(["libhiredis-dev"]), .brew(["hiredis"])]),
        .systemLibrary(
            name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl"])]),
        // How the Redis-based stores talk to each node, address-free (public, plain Swift: no C library).
        .target(name: "KVRedisConfiguration", dependencies: ["KVCore", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "KVRedisCore",
            dependencies: [
                "KVCore", "KVRedisConfiguration", "CHiredis", "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing", condition: .when(traits: ["DistributedTracingSupport"])),
            ]),

        // Backends: each a thin store over the engine (or, for memory, its own tables); none depends on another.
        .target(name: "KVMemory", dependencies: ["KVCore"], path: "Backends/Memory"),
        .target(name: "KVRedis", dependencies: ["KVCore", "KVRedisConfiguration", "KVRedisCore"], path: "Backends/Redis"),
        .target(
            name: "KVRing",
            dependencies: [
                "KVCore", "KVRedisConfiguration", "KVRedisCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Backends/Ring"),
        .target(
            name: "KVCluster",
            dependencies: [
                "KVCore", "KVRedisConfiguration", "KVRedisCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Backends/Cluster"),
        .target(
            name: "KVSentinel",
            dependencies: [
                "KVCore", "KVRedisConfiguration", "KVRedisCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Backends/Sentinel"),
        // The raw-C hiredis loops that `kv bench` measures beside the Swift rows.
        .target(name: "CHiredisBaseline", dependencies: ["CHiredis"]),

        // A health-monitoring Service for any store: status changes, swift-metrics gauges.
        .target(
            name: "KVHealthMonitor",
            dependencies: [
                "KVCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        // Umbrella: registers every built-in backend (each Redis-based family with its trait).
        .target(
            name: "KV",
            dependencies: [
                "KVCore", "KVMemory", "KVHealthMonitor",
                .target(name: "KVFileConfiguration", condition: .when(traits: ["FileConfiguration"])),
                .target(name: "KVRedis", condition: .when(traits: ["RedisServer"])),
                .target(name: "KVRing", condition: .when(traits: ["RedisRing"])),
                .target(name: "KVCluster", condition: .when(traits: ["RedisCluster"])),
                .target(name: "KVSentinel", condition: .when(traits: ["RedisSentinel"])),
            ]),

        // Adapters to the ecosystem, each behind its trait.
        .target(
            name: "KVSwiftConfiguration",
            dependencies: ["KVCore", .product(name: "Configuration", package: "swift-configuration", condition: .when(traits: ["ConfigurationSupport"]))],
            path: "Sources/Adapters/KVSwiftConfiguration"),
        .target(
            name: "KVHummingbird",
            dependencies: [
                "KVCore", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["HummingbirdSupport"])),
            ],
            path: "Sources/Adapters/KVHummingbird"),
        .target(
            name: "KVVapor",
            dependencies: ["KVCore", .product(name: "Vapor", package: "vapor", condition: .when(traits: ["VaporSupport"]))],
            path: "Sources/Adapters/KVVapor"),

        // A verified load for fault drills (`kv soak`, fault tests).
        .target(name: "KVSoak", dependencies: ["KVCore"]),

        // The `kv` command-line tool.
        .executableTarget(
            name: "KVCommand",
            dependencies: [
                "KV", "KVSoak",
                .target(name: "KVRedisCore", condition: .when(traits: ["Redis"])),
            ] + storeModules + [
                .target(name: "CHiredisBaseline", condition: .when(traits: ["Redis"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        // Examples, each runnable with `swift run NAME`.
        .target(name: "ExampleSupport", dependencies: ["KV", .product(name: "Logging", package: "swift-log")] + storeModules, path: "Examples/ExampleSupport"),
        .executableTarget(name: "SessionStore", dependencies: ["ExampleSupport", "KV"] + storeModules, path: "Examples/SessionStore"),
        .executableTarget(name: "BatchPipeline", dependencies: ["ExampleSupport", "KV"] + storeModules, path: "Examples/BatchPipeline"),
        .executableTarget(
            name: "BackendSwap", dependencies: ["ExampleSupport", "KV", .product(name: "Logging", package: "swift-log")] + storeModules,
            path: "Examples/BackendSwap", exclude: ["configs"]),
        .executableTarget(
            name: "HealthMonitor",
            dependencies: [
                "ExampleSupport", "KV", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ] + storeModules,
            path: "Examples/HealthMonitor"),
        // Codable hot reads through Hummingbird's MemoryPersistDriver, KVPersistDriver and KVClient, in one run.
        .executableTarget(
            name: "PersistBench",
            dependencies: [
                "KV", "KVHummingbird",
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["HummingbirdSupport"])),
            ] + storeModules,
            path: "Examples/PersistBench"),
        // Every Swift sample in docs/, compiled (Tests/DocsTests checks that the docs and this target agree).
        .target(
            name: "KVSnippets",
            dependencies: [
                "KV", "KVSwiftConfiguration", "KVHummingbird", "KVVapor",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration", condition: .when(traits: ["ConfigurationSupport"])),
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["HummingbirdSupport"])),
                .product(name: "Vapor", package: "vapor", condition: .when(traits: ["VaporSupport"])),
                .product(name: "Tracing", package: "swift-distributed-tracing", condition: .when(traits: ["DistributedTracingSupport"])),
            ] + storeModules,
            path: "Examples/Snippets"),
        .testTarget(name: "DocsTests", dependencies: ["KV", "KVSnippets", "KVConformance"] + storeModules),

        .testTarget(
            name: "KVCoreUnitTests",
            dependencies: [
                "KVCore", "KVMemory", "KVSoak", "KVTestSupport", "KVHealthMonitor", "KVFileConfiguration",
                .product(name: "MetricsTestKit", package: "swift-metrics"), .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "KVMemoryTests", dependencies: ["KVMemory", "KVConformance", "KVTestSupport", "CHeapProbe"]),
        // Reads the C heap's size, for the memory store's byte-accounting test.
        .target(name: "CHeapProbe", path: "Tests/CHeapProbe"),
        .testTarget(
            name: "KVCommandTests",
            dependencies: ["KVCommand", "KVTestSupport", "SessionStore", "BatchPipeline", "BackendSwap", "HealthMonitor"] + storeModules),
        .testTarget(name: "KVRedisUnitTests", dependencies: ["KVRedisCore", "KVRedisConfiguration", "KVCore"]),
        .testTarget(name: "KVRedisTests", dependencies: ["KVRedis", "KVRing", "KVRedisCore", "KVRedisConfiguration", "KVConformance", "KVTestSupport", "KVSoak", "CHeapProbe"]),
        .testTarget(name: "KVRingUnitTests", dependencies: ["KVRing", "KVRedisCore", "KVCore"]),
        .testTarget(name: "KVRingTests", dependencies: ["KVRing", "KVRedisCore", "KVRedisConfiguration", "KVConformance", "KVTestSupport", "KVSoak"]),
        .testTarget(name: "KVClusterUnitTests", dependencies: ["KVCluster", "KVRedisCore", "KVCore"]),
        .testTarget(name: "KVClusterTests", dependencies: ["KVCluster", "KVRedis", "KVRedisCore", "KVRedisConfiguration", "KVConformance", "KVTestSupport", "KVSoak"]),
        .testTarget(name: "KVSentinelUnitTests", dependencies: ["KVSentinel", "KVCore"]),
        .testTarget(name: "KVSentinelTests", dependencies: ["KVSentinel", "KVRedisCore", "KVRedisConfiguration", "KVConformance", "KVTestSupport", "KVSoak"]),
        .testTarget(
            name: "KVAdapterTests",
            dependencies: [
                "KV", "KVSwiftConfiguration", "KVHummingbird", "KVVapor", "KVTestSupport", "KVMemory", "KVHealthMonitor",
                .target(name: "KVRedis", condition: .when(traits: ["Redis"])), .target(name: "KVRing", condition: .when(traits: ["Redis"])),
                .product(name: "Configuration", package: "swift-configuration", condition: .when(traits: ["ConfigurationSupport"])),
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["HummingbirdSupport"])),
                .product(name: "HummingbirdTesting", package: "hummingbird", condition: .when(traits: ["HummingbirdSupport"])),
                .product(name: "VaporTesting", package: "vapor", condition: .when(traits: ["VaporSupport"])),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing", condition: .when(traits: ["DistributedTracingSupport"])),
            ]),
        // The frameworks' own tests (Hummingbird's PersistTests, hummingbird-auth's SessionTests, Vapor's cache
        // tests), copied from the resolved packages by scripts/upstream-tests.sh with only the driver factory
        // changed, run on memory:// and a real redis://. Without the copies only the bridge is built.
        .testTarget(
            name: "KVUpstreamTests",
            dependencies: [
                "KV", "KVMemory", "KVHummingbird", "KVVapor",
                .target(name: "KVRedis", condition: .when(traits: ["Redis"])),
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["HummingbirdSupport"])),
                .product(name: "HummingbirdTesting", package: "hummingbird", condition: .when(traits: ["HummingbirdSupport"])),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth", condition: .when(traits: ["HummingbirdSupport"])),
                .product(name: "HummingbirdAuthTesting", package: "hummingbird-auth", condition: .when(traits: ["HummingbirdSupport"])),
                .product(name: "NIOPosix", package: "swift-nio", condition: .when(traits: ["HummingbirdSupport"])),
                .product(name: "XCTVapor", package: "vapor", condition: .when(traits: ["VaporSupport"])),
            ],
            // The upstream files as their packages compile them.
            swiftSettings: [.swiftLanguageMode(.v5)]),
        .target(name: "KVTestSupport", dependencies: ["KVCore", .product(name: "Logging", package: "swift-log")], path: "Tests/KVTestSupport"),
    ]
)

// Every Swift target of the package: `any` spelled out for existentials, imports that say what a file uses
// (a member from a module the file does not import is an error), and internal imports unless a file says
// `public import` (a module in a file's public declarations is then a deliberate part of the API).
let upcomingFeatures: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]
for target in package.targets where [.regular, .executable, .test].contains(target.type) && target.name != "KVUpstreamTests" {
    target.swiftSettings = (target.swiftSettings ?? []) + upcomingFeatures
}
