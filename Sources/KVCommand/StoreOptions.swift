import ArgumentParser
import Foundation
import KV
import Logging
#if FileConfiguration
import KVFileConfiguration
#endif

/// `--store URL`, `--config FILE` and `--verbose`, shared by every command (and accepted before it too:
/// see ``GlobalOptions``).
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Store URL: memory://, redis://host:port[/db], rediss://host:port, unix:///path.sock, ring://name=host:port,..., cluster://host:port,..., sentinel://host:port,.../master (default: $KV_STORE, then memory://).")
    var store: String?

    @Option(name: .long, help: "A JSON or YAML configuration file: {store: URL, options: {...}}.")
    var config: String?

    @Flag(name: .long, help: "Print the library's log messages (info and above) on stderr.")
    var verbose = false

    func configuration() throws(KVError) -> KVConfiguration {
        #if FileConfiguration
        try KVConfiguration.resolve(url: store, file: config)
        #else
        // Built without the FileConfiguration trait: URLs only (--store, then KV_STORE, then memory://).
        if config != nil || ProcessInfo.processInfo.environment["KV_CONFIG"].map({ !$0.isEmpty }) == true {
            throw .invalidConfiguration("this kv was built without the FileConfiguration trait: pass --store URL (or set KV_STORE) instead of a configuration file")
        }
        if let store { return try KVConfiguration(url: store) }
        return try KVConfiguration.fromStoreVariable() ?? .memory
        #endif
    }

    /// Opens the store, runs `body`, and shuts the store down whatever happens.
    /// After a write: a one-line note on stderr when the store is the embedded memory store, whose data ends with this process.
    func noteIfEphemeral() throws(KVError) {
        guard try configuration().scheme == "memory" else { return }
        Output.error("note: memory:// keeps data only while the process runs, so this value is gone now that kv exits; pass --store redis://host:port (or set KV_STORE) to keep it")
    }

    /// The library's logs stay off unless `--verbose`: an error reaches the user once, as the command's error line.
    var logger: Logger {
        guard verbose else { return KVLogging.disabled }
        var logger = Logger(label: "kv", factory: { label in StreamLogHandler.standardError(label: label) })
        logger.logLevel = .info
        return logger
    }

    /// Runs `body` on the store, then shuts it down. The store's background work (a ring's heartbeats, a
    /// cluster's slot-map refresh, Sentinel's watchers: its `Service.run()`) runs meanwhile, as in an
    /// application's service group.
    func withStore<T>(_ body: (any KVStore) async throws -> T) async throws -> T {
        let store = try await KVStores.open(try configuration(), logger: logger)
        return try await store.withRunning { try await body($0) }
    }
}
