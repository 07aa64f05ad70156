#if HummingbirdSupport
public import Hummingbird
public import KVCore
import ServiceLifecycle

/// Hummingbird's persist and session storage on any store: memory in tests, Redis, a ring or a cluster in
/// production, chosen by configuration.
///
/// Hummingbird's semantics hold on every store: `create` writes only a key that does not exist (else
/// `PersistError.duplicate`), `set` with `expires: nil` keeps the expiry a key already has, `get` of a value
/// that does not decode as the type asked for throws `PersistError.invalidConversion`, and `getWithTTL` is one
/// round trip on the Redis-based stores. Every value is encoded by the client's codec (JSON by default),
/// `String` and `Data` too, as Hummingbird's Redis driver does: the string `hello` is stored as the JSON text
/// `"hello"`, readable from any language, and a value reads back only as its own type (the string `"42"` read as
/// an `Int` is `invalidConversion`). Use ``update(key:as:expires:retry:_:)`` or ``increment(key:by:expires:)`` to
/// change a value that concurrent requests share: `get` then `set` loses updates.
///
/// ```swift
/// let store = try await KVStores.open("redis://127.0.0.1:6379")
/// let persist = KVPersistDriver(store: store)
/// router.get("/visits") { _, _ in
///     "\(try await persist.increment(key: "visits"))"
/// }
/// let app = Application(router: router, services: [persist])
/// ```
///
/// It is a `Service`: add it to the application's services; its `run()` runs the store's background work and
/// returns at graceful shutdown. It does not shut the store down, which its owner may share with other users.
public struct KVPersistDriver: PersistDriver {
    public let client: KVClient

    /// A driver over `store`, values encoded with `codec` under keys prefixed with `namespace`.
    public init(store: any KVStore, codec: any KVCodec = KVJSONCodec(), namespace: String = "") {
        client = KVClient(store: store, codec: codec, namespace: namespace, storesRawValues: false)
    }

    /// A driver over a client's store, codec and namespace (`String` and `Data` values encoded by the codec too).
    public init(client: KVClient) {
        self.client = client.typed
    }

    /// With `expires` zero or less the value expires at once, as in Hummingbird's own drivers: nothing is
    /// stored, but an existing key is still `PersistError.duplicate`.
    public func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        if let expires, expires <= .zero {
            if try await client.contains(key) { throw PersistError.duplicate }
            return
        }
        do {
            try await client.create(value, for: key, ttl: expires)
        } catch where error.code == .alreadyExists {
            throw PersistError.duplicate
        }
    }

    /// With `expires` zero or less the value expires at once (real code computes `expiry - now`): the key is
    /// deleted, as in Hummingbird's own drivers, instead of the old value staying readable.
    public func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        if let expires, expires <= .zero {
            try await client.delete(key)
            return
        }
        // No expiry given: an existing key keeps the one it has (Hummingbird's contract), a new key gets none.
        let options = expires.map { KVSetOptions(ttl: $0) } ?? KVSetOptions(keepTTL: true)
        try await client.set(value, for: key, options: options)
    }

    /// Inlinable, so that the read is specialized for `Object` where it is called: on a store that keeps decoded
    /// values (memory://, a near cache) a hit is then a lookup and a cast, with no runtime generic work.
    @inlinable
    public func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        do {
            return try await client.get(type, for: key)
        } catch where error.code == .decodingFailed {
            throw PersistError.invalidConversion
        }
    }

    public func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        do {
            guard let read = try await client.getWithTTL(type, for: key) else { return nil }
            return (read.value, read.ttl.remaining)
        } catch where error.code == .decodingFailed {
            throw PersistError.invalidConversion
        }
    }

    public func remove(key: String) async throws {
        try await client.delete(key)
    }

    /// Runs the store's background work (`KVStore.run()`: a ring's heartbeats, a cluster's slot-map refresh, the
    /// memory store's expiry sweep for watches) until graceful shutdown, so that a store opened by URL needs no cast
    /// to `Service`. The store stays open for its owner. If the store's `run()` returns early (another owner runs
    /// it), this waits for graceful shutdown all the same: a service that ends early would end the group.
    public func run() async throws {
        try await client.store.run()
        try? await gracefulShutdown()
    }
}
#endif
