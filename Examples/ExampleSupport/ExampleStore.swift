import Foundation
public import KV
import Logging
#if FileConfiguration
import KVFileConfiguration
#endif

/// How every example picks its store: `--store URL`, else `--config FILE`, else `KV_STORE`/`KV_CONFIG`,
/// else the embedded memory store.
public enum ExampleStore {
    /// The value after `flag` on the command line, if any.
    public static func argument(_ flag: String, in arguments: [String] = CommandLine.arguments) -> String? {
        guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    public static func configuration() throws(KVError) -> KVConfiguration {
        #if FileConfiguration
        try KVConfiguration.resolve(url: argument("--store"), file: argument("--config"))
        #else
        if let url = argument("--store") { return try KVConfiguration(url: url) }
        return try KVConfiguration.fromStoreVariable() ?? .memory
        #endif
    }

    public static func open() async throws -> (any KVStore, KVConfiguration) {
        let configuration = try configuration()
        var logger = Logger(label: "example")
        logger.logLevel = .error
        return (try await KVStores.open(configuration, logger: logger), configuration)
    }
}
