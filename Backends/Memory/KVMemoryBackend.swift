public import KVCore
public import Logging

/// Opens `memory://[?maxEntries=N&maxBytes=N]`.
public struct KVMemoryBackend: KVBackend {
    public init() {}
    public var scheme: String { "memory" }
    public var urlForms: [String] { ["memory://[?maxEntries=N&maxBytes=N]"] }
    public var options: [KVOptionInfo] {
        [
            KVOptionInfo("maxEntries", "evict least-recently-used keys beyond this many entries"),
            KVOptionInfo("maxBytes", "evict least-recently-used keys beyond this many bytes"),
        ]
    }

    public func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore {
        guard configuration.url.hosts.isEmpty, configuration.url.path.isEmpty else {
            throw .invalidConfiguration("memory:// takes no host or path, got \(configuration.url)")
        }
        let options = KVMemoryStore.Options(
            maxEntries: try configuration.int("maxEntries", in: 1...Int.max),
            maxBytes: try configuration.int("maxBytes", in: 1...Int.max))
        return KVMemoryStore(options: options)
    }
}
