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
        .executable(name: "kv", targets: ["KVCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
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

        // Umbrella: registers every built-in backend.
        .target(name: "KV", dependencies: ["KVCore", "KVMemory"]),

        // The `kv` command-line tool.
        .executableTarget(
            name: "KVCommand",
            dependencies: [
                "KV",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "KVCoreTests", dependencies: ["KVCore", "KVMemory"]),
        .testTarget(name: "KVMemoryTests", dependencies: ["KVMemory", "KVConformance"]),
        .testTarget(name: "KVCommandTests", dependencies: ["KVCommand"]),
    ]
)
