// Samples from docs/configuration.md.
// Built with the FileConfiguration trait (KVConfiguration.resolve reads KV_CONFIG files).
#if FileConfiguration
import KV
#if FileConfiguration
import KVFileConfiguration
#endif

func openByURL() async throws -> any KVStore {
    try await KVStores.open("redis://app:secret@127.0.0.1:6379/2?commandTimeout=500ms&clientName=api")
}

func openWithOptions() async throws -> any KVStore {
    let configuration = try KVConfiguration(
        url: "ring://a=127.0.0.1:7000,b=127.0.0.1:7001",
        options: ["hash": "jump", "heartbeat": "250ms"])
    return try await KVStores.open(configuration)
}

func openFromFileOrEnvironment() async throws -> any KVStore {
    // --config kv.yaml, else $KV_STORE, else $KV_CONFIG, else memory://
    let configuration = try KVConfiguration.resolve(file: CommandLine.arguments.dropFirst().first)
    return try await KVStores.open(configuration)
}
#endif
