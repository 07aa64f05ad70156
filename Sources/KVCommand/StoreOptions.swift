import ArgumentParser
import KV
import Logging

/// `--store URL` and `--config FILE`, shared by every command.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Store URL: memory://, redis://host:port[/db], ring://name=host:port,..., cluster://host:port,... (default: $KV_STORE, then memory://).")
    var store: String?

    @Option(name: .long, help: "A JSON or YAML configuration file: {store: URL, options: {...}}.")
    var config: String?

    func configuration() throws(KVError) -> KVConfiguration {
        try KVConfiguration.resolve(url: store, file: config)
    }

    /// Opens the store, runs `body`, and shuts the store down whatever happens.
    func withStore<T>(_ body: (any KVStore) async throws -> T) async throws -> T {
        var logger = Logger(label: "kv")
        logger.logLevel = .warning
        let store = try await KVStores.open(try configuration(), logger: logger)
        do {
            let result = try await body(store)
            await store.shutdown()
            return result
        } catch {
            await store.shutdown()
            throw error
        }
    }
}
