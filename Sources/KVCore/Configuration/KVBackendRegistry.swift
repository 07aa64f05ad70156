public import Logging
import Synchronization

/// A kind of store, known by its URL scheme. Implement it to make a store openable by URL.
///
/// ```swift
/// struct MyBackend: KVBackend {
///     let scheme = "mystore"
///     let options = [KVOptionInfo("timeout", "request timeout")]
///     func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore { ... }
/// }
/// KVStores.registry.register(MyBackend())
/// ```
public protocol KVBackend: Sendable {
    /// The URL scheme, lower case (`memory`, `redis`, ...).
    var scheme: String { get }
    /// The URL forms it accepts, for error messages and docs.
    var urlForms: [String] { get }
    /// The options it understands.
    var options: [KVOptionInfo] { get }
    /// Opens a store. Fails with `invalidConfiguration` for a bad URL or option.
    func open(_ configuration: KVConfiguration, logger: Logger) async throws(KVError) -> any KVStore
}

/// Backends by scheme. The core depends on no backend: each registers here.
public final class KVBackendRegistry: Sendable {
    private let backends: Mutex<[String: any KVBackend]>

    public init(_ backends: [any KVBackend] = []) {
        self.backends = Mutex(Dictionary(backends.map { ($0.scheme, $0) }, uniquingKeysWith: { _, last in last }))
    }

    /// Adds or replaces the backend for its scheme.
    public func register(_ backend: any KVBackend) {
        backends.withLock { $0[backend.scheme] = backend }
    }

    /// The registered schemes, sorted.
    public var schemes: [String] { backends.withLock { $0.keys.sorted() } }

    /// The backend for `scheme`, if registered.
    public func backend(for scheme: String) -> (any KVBackend)? {
        backends.withLock { $0[scheme.lowercased()] }
    }

    /// Opens the store a configuration describes.
    ///
    /// - Throws: `invalidConfiguration` naming the known schemes for an unknown one, or the backend's own error.
    public func open(_ configuration: KVConfiguration, logger: Logger = KVLogging.disabled) async throws(KVError) -> any KVStore {
        guard let backend = backend(for: configuration.scheme) else {
            let known = backends.withLock { $0.values.flatMap(\.urlForms) }.sorted()
            throw .invalidConfiguration("unknown store scheme \"\(configuration.scheme)://\"; known forms: \(known.joined(separator: ", "))")
        }
        try configuration.requireKnownOptions(backend.options)
        return try await backend.open(configuration, logger: logger)
    }
}
