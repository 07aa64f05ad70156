// Samples from docs/integrations.md (Tests/DocsTests checks the docs).
import KV

#if ConfigurationSupport
import Configuration
import KVSwiftConfiguration

func storeFromConfigReader() async throws -> any KVStore {
    let config = ConfigReader(providers: [
        EnvironmentVariablesProvider(),                       // KV_STORE, KV_OPTIONS_COMMAND_TIMEOUT, ...
        InMemoryProvider(values: ["kv.store": "memory://"]),  // the default
    ])
    let configuration = try KVConfiguration(reader: config.scoped(to: "kv"), registry: KVStores.registry)
    return try await KVStores.open(configuration)
}
#endif

#if DistributedTracingSupport
import Tracing

func tracedHandler(store: any KVStore) async throws -> [UInt8]? {
    // With a tracer bootstrapped (swift-otel, say), each Redis call is a client span under this one.
    try await withSpan("load profile") { _ in
        try await store.get("profile:42")
    }
}
#endif
