#if ConfigurationSupport
import Configuration
import KV
import KVSwiftConfiguration
import Testing

/// Store configurations from swift-configuration readers: the same validation and redaction as URLs.
struct ConfigReaderTests {
    @Test func storeAndOptionsFromProviders() throws {
        let reader = ConfigReader(providers: [
            InMemoryProvider(values: ["kv.options.commandTimeout": "250ms", "kv.options.poolSize": 4]),
            InMemoryProvider(values: ["kv.store": "redis://127.0.0.1:6379/2?clientName=api", "kv.options.poolSize": 8]),
        ])
        let configuration = try KVConfiguration(reader: reader.scoped(to: "kv"), registry: KVStores.registry)
        #expect(configuration.scheme == "redis")
        #expect(configuration.options["commandTimeout"] == "250ms")
        #expect(configuration.options["poolSize"] == "4", "a typed number, the first provider winning")
        #expect(configuration.options["clientName"] == "api", "the URL's query stays")
        #expect(try configuration.duration("commandTimeout") == .milliseconds(250))
    }

    @Test func nearCacheOptionsFromProviders() throws {
        let reader = ConfigReader(provider: InMemoryProvider(values: [
            "kv.store": "redis://127.0.0.1:6379", "kv.options.nearCache": "on", "kv.options.nearCacheMaxBytes": 1_048_576,
            "kv.options.nearCacheMaxAge": "30s", "kv.options.nearCachePrefixes": "session:,cart:",
        ]))
        let configuration = try KVConfiguration(reader: reader.scoped(to: "kv"), registry: KVStores.registry)
        #expect(configuration.string("nearCache") == "on")
        #expect(try configuration.int("nearCacheMaxBytes", in: 65_536...(1 << 40)) == 1_048_576)
        #expect(try configuration.duration("nearCacheMaxAge") == .seconds(30))
        #expect(configuration.string("nearCachePrefixes") == "session:,cart:")
    }

    @Test func environmentVariablesWork() throws {
        let reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: [
            "KV_STORE": "memory://", "KV_OPTIONS_MAX_ENTRIES": "100",
        ]))
        let configuration = try KVConfiguration(reader: reader.scoped(to: "kv"), registry: KVStores.registry)
        #expect(configuration.scheme == "memory")
        #expect(configuration.options["maxEntries"] == "100", "kv.options.maxEntries is KV_OPTIONS_MAX_ENTRIES")
    }

    @Test func invalidValuesAreTheURLsErrors() throws {
        let noStore = ConfigReader(provider: InMemoryProvider(values: [:]))
        #expect(throws: KVError.self) { try KVConfiguration(reader: noStore, registry: KVStores.registry) }
        let badURL = ConfigReader(provider: InMemoryProvider(values: ["store": "redis//nohost"]))
        #expect { try KVConfiguration(reader: badURL, registry: KVStores.registry) } throws: { ($0 as? KVError)?.code == .invalidConfiguration }
        let badOption = ConfigReader(provider: InMemoryProvider(values: ["store": "redis://127.0.0.1:6379", "options.poolSize": "many"]))
        let configuration = try KVConfiguration(reader: badOption, registry: KVStores.registry)
        #expect { _ = try configuration.int("poolSize", in: 1...64) } throws: { ($0 as? KVError)?.code == .invalidConfiguration }
    }

    @Test func secretsAreRedacted() throws {
        let reader = ConfigReader(provider: InMemoryProvider(values: [
            "store": "redis://app:hunter2@127.0.0.1:6379", "options.password": "s3cr3t-option",
        ]))
        let configuration = try KVConfiguration(reader: reader, registry: KVStores.registry)
        #expect(configuration.options["password"] == "s3cr3t-option")
        let shown = "\(configuration) \(String(reflecting: configuration))"
        #expect(!shown.contains("hunter2") && !shown.contains("s3cr3t-option"), "\(shown)")
    }
}
#endif
