#if VaporSupport
public import KVCore
public import Vapor

/// Vapor's `Cache` on any store: `req.cache` and `app.cache` read and write the store, with Vapor's semantics
/// (`set(key, to: nil)` deletes, `expiresIn` is a TTL, a value that does not decode as the type asked for is an
/// error). Every value is encoded by the client's codec (JSON by default), `String` and `Data` too, as Vapor's Redis
/// cache does: the string `bar` is stored as the JSON text `"bar"`, readable from any language, and a value read as
/// another type is a decoding error. Use `update` or `increment` (on `req.cache`) to change a value that concurrent
/// requests share: `get` then `set` loses updates.
///
/// ```swift
/// let store = try await KVStores.open("redis://127.0.0.1:6379")
/// app.caches.use(.kv(store))
/// app.get("hello") { req async throws -> String in
///     "hello #\(try await req.cache.increment("hits"))"
/// }
/// ```
///
/// The async methods call the store directly; the `EventLoopFuture` ones of the `Cache` protocol complete on
/// the cache's event loop (the request's, through `req.cache`).
public struct KVVaporCache: Cache, Sendable {
    public let client: KVClient
    public let eventLoop: any EventLoop

    /// A cache over a client's store, codec and namespace (`String` and `Data` values encoded by the codec too).
    public init(client: KVClient, on eventLoop: any EventLoop) {
        self.client = client.typed
        self.eventLoop = eventLoop
    }

    public init(store: any KVStore, codec: any KVCodec = KVJSONCodec(), namespace: String = "", on eventLoop: any EventLoop) {
        self.init(client: KVClient(store: store, codec: codec, namespace: namespace, storesRawValues: false), on: eventLoop)
    }

    // MARK: async

    public func get<T: Decodable & Sendable>(_ key: String, as type: T.Type) async throws -> T? {
        try await client.get(type, for: key)
    }

    public func set<T: Encodable & Sendable>(_ key: String, to value: T?) async throws {
        try await set(key, to: value, expiresIn: nil)
    }

    public func set<T: Encodable & Sendable>(_ key: String, to value: T?, expiresIn expirationTime: CacheExpirationTime?) async throws {
        try await Self.write(try value.map { (value) throws(KVError) in try client.encode(value, key: key) }, for: key, expiresIn: expirationTime, client: client)
    }

    public func delete(_ key: String) async throws {
        try await client.delete(key)
    }

    // MARK: Cache (EventLoopFuture)

    public func get<T: Decodable>(_ key: String, as type: T.Type) -> EventLoopFuture<T?> {
        // `Cache` does not require `T` to be Sendable, so nothing that mentions `T` may cross to the store's task:
        // the task reads bytes, and the closures that decode them and complete the promise stay on the event loop.
        let promise = eventLoop.makePromise(of: T?.self)
        let client = self.client
        let finish = UnsafeTransfer<(Result<[UInt8]?, any Error>) -> Void> { result in
            // Called on the event loop (a future's callback), so the promise may take a value that is not Sendable.
            promise.assumeIsolated().completeWith(result.flatMap { bytes in
                Result { try bytes.map { try client.decode(T.self, from: $0, key: key) } }
            })
        }
        eventLoop.makeFutureWithTask { try await client.store.get(client.namespace + key) }.whenComplete { finish.value($0) }
        return promise.futureResult
    }

    public func set<T: Encodable>(_ key: String, to value: T?) -> EventLoopFuture<Void> {
        set(key, to: value, expiresIn: nil)
    }

    public func set<T: Encodable>(_ key: String, to value: T?, expiresIn expirationTime: CacheExpirationTime?) -> EventLoopFuture<Void> {
        let client = self.client
        // Encoded here, on the caller's thread: only bytes cross to the store's task.
        let bytes: [UInt8]?
        do { bytes = try value.map { (value) throws(KVError) in try client.encode(value, key: key) } } catch {
            return eventLoop.makeFailedFuture(error)
        }
        return eventLoop.makeFutureWithTask { try await Self.write(bytes, for: key, expiresIn: expirationTime, client: client) }
    }

    /// Vapor's write: encoded bytes with `expiresIn` as the TTL, or a delete for `nil`.
    /// A nil value, or an expiry of zero seconds or less (expired at once, as in Vapor's memory cache), deletes.
    private static func write(_ bytes: [UInt8]?, for key: String, expiresIn expirationTime: CacheExpirationTime?, client: KVClient) async throws {
        guard let bytes, (expirationTime?.seconds ?? 1) > 0 else {
            try await client.delete(key)
            return
        }
        try await client.store.set(client.namespace + key, bytes, options: KVSetOptions(ttl: expirationTime.map { .seconds($0.seconds) }))
    }

    public func `for`(_ request: Request) -> KVVaporCache {
        KVVaporCache(client: client, on: request.eventLoop)
    }
}

/// Carries the closure that finishes a `get` on the event loop to the read's completion handler.
private struct UnsafeTransfer<Value>: @unchecked Sendable {
    // Safe: the closure it carries is made by `get` and called once, on the event loop, by the completion of
    // the store's read; nothing else holds it.
    let value: Value
    init(_ value: Value) { self.value = value }
}

extension Application.Caches.Provider {
    /// Vapor's cache on a store: `app.caches.use(.kv(store))`. The store's background work runs from the
    /// application's boot to its shutdown (``KVVaporStoreRunner``).
    public static func kv(_ store: any KVStore, codec: any KVCodec = KVJSONCodec(), namespace: String = "") -> Self {
        .init { application in
            KVVaporStoreRunner.install(for: store, on: application)
            application.caches.use { application in
                KVVaporCache(store: store, codec: codec, namespace: namespace, on: application.eventLoopGroup.next())
            }
        }
    }
}
#endif
