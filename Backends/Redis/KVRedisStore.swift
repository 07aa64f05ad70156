public import KVCore
public import KVRedisConfiguration
package import KVRedisCore
public import Logging

/// A store on one Redis server, through hiredis: pooled connections, each on its own thread, with automatic
/// pipelining. Batches are sent as pipelines in chunks.
///
/// ```swift
/// let store = try await KVStores.open("redis://127.0.0.1:6379/0?commandTimeout=500ms")
/// ```
public final class KVRedisStore: KVStore {
    public struct Options: Sendable {
        /// Where the server is: a TCP endpoint or a Unix-domain socket.
        public enum Address: Sendable, Hashable, CustomStringConvertible {
            case tcp(KVEndpoint)
            case unix(path: String)

            /// `host:port`, or `unix:/path`.
            public var description: String {
                switch self {
                case .tcp(let endpoint): endpoint.description
                case .unix(let path): "unix:\(path)"
                }
            }
        }

        public var address: Address
        /// How to talk to the server: authentication, timeouts, TLS, the pool (default 2 connections) and batches.
        public var node: KVRedisNodeConfiguration

        public init(address: Address, node: KVRedisNodeConfiguration = KVRedisNodeConfiguration()) {
            self.address = address
            self.node = node
        }

        /// A server at `endpoint`.
        public init(endpoint: KVEndpoint, node: KVRedisNodeConfiguration = KVRedisNodeConfiguration()) {
            self.init(address: .tcp(endpoint), node: node)
        }

        /// The engine's options: 2 connections unless `KVRedisNodeConfiguration/poolSize` says otherwise.
        package var engine: RedisNodeOptions {
            let connection = switch address {
            case .tcp(let endpoint): RedisConnectionConfiguration(endpoint: endpoint, settings: node)
            case .unix(let path): RedisConnectionConfiguration(endpoint: KVEndpoint(host: "localhost", port: 6379), unixSocketPath: path, settings: node)
            }
            return RedisNodeOptions(connection: connection, defaultPoolSize: 2)
        }
    }

    public let options: Options
    package let client: RedisNodeClient
    let watches: RedisWatches

    public init(options: Options, logger: Logger = KVLogging.disabled) {
        self.options = options
        let engine = options.engine
        client = RedisNodeClient(options: engine, logger: logger)
        watches = RedisWatches(nodes: [engine.connection], logger: logger)
    }

    /// The node's connections, for tests and tools in this package.
    package var pool: RedisPool { client.pool }

    public var node: String { client.node }

    /// Runs `body` on one connection's thread, so that its sequential calls need no thread wake-ups: each
    /// call is written and its reply read right there. A call inside ends at its reply or its deadline
    /// (`commandTimeout`); cancelling the task stops the next call, not one already sent.
    ///
    /// ```swift
    /// try await store.withAffinity { for key in keys { _ = try await store.get(key) } }
    /// ```
    public func withAffinity<T, Failure: Error>(_ body: () async throws(Failure) -> T) async throws(Failure) -> T {
        try await client.pool.withAffinity(body)
    }

    @discardableResult
    public func set(_ key: String, _ value: [UInt8], options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        try await client.set(key, value, options: setOptions)
    }

    public func get(_ key: String) async throws(KVError) -> [UInt8]? { try await client.get(key) }
    public func ttl(_ key: String) async throws(KVError) -> KVTimeToLive { try await client.ttl(key) }
    public func delete(_ key: String) async throws(KVError) -> Bool { try await client.delete(key) }
    public func contains(_ key: String) async throws(KVError) -> Bool { try await client.contains(key) }
    public func list(prefix: String) -> KVKeySequence { client.list(prefix: prefix) }

    /// One `EVALSHA` of a compare-and-set script (`EVAL` after `NOSCRIPT`).
    public func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?, options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        try await client.compareAndSet(key, expected: expected, new: new, options: setOptions)
    }

    /// `INCRBY`; with a TTL for a created key, one script.
    public func increment(_ key: String, by delta: Int64, ttlIfCreated: Duration?) async throws(KVError) -> Int64 {
        try await client.increment(key, by: delta, ttlIfCreated: ttlIfCreated)
    }

    /// `GET` and `PTTL` in one round trip.
    public func getWithTTL(_ key: String) async throws(KVError) -> KVValueWithTTL? { try await client.getWithTTL(key) }

    public func batchSet(_ entries: [KVEntry], options setOptions: KVSetOptions) async throws(KVError) {
        try await client.batchSet(entries, options: setOptions)
    }

    public func batchGet(_ keys: [String]) async throws(KVError) -> [String: [UInt8]] { try await client.batchGet(keys) }
    public func batchDelete(_ keys: [String]) async throws(KVError) -> Int { try await client.batchDelete(keys) }

    public func health() async throws(KVError) -> KVHealthReport {
        KVHealthReport(backend: "redis", nodes: [try await client.health(name: node)])
    }

    public func locate(_ key: String) async throws(KVError) -> KVLocation {
        try KVLimits.check(key: key)
        try client.checkOpen()
        return KVLocation(key: key, node: node)
    }

    /// At least once, with `resync` when changes may have been missed: the server reports every write, delete,
    /// expiry and eviction under `prefix` (broadcast tracking on a connection of the feed's own; no server
    /// configuration needed). A lost, silent or killed connection, a restart or a flush is a `resync`, and
    /// `ready` follows when the feed is armed again. The feed ends with `shutdown` when the store does.
    ///
    /// ```swift
    /// for try await event in store.watch(prefix: "session:") { print(event) }
    /// ```
    public func watch(prefix: String) -> KVWatchFeed { watches.feed(prefix: prefix, store: node) }

    public func shutdown() async {
        watches.close(store: node)
        client.close()
    }
}

extension KVRedisStore: KVDecodedValueStore {
    @usableFromInline package func peekKept(_ key: String) throws(KVError) -> KVPeek { try client.peekKept(key) }
    /// `get` for `KVClient`: with `nearCache=on`, a hit's bytes with the decoded value kept beside them.
    @usableFromInline package func getKept(_ key: String) async throws(KVError) -> KVKeptRead? { try await client.getKept(key) }
    @usableFromInline package func keep(_ value: KVDecodedValue, for key: String) { client.keep(value, for: key) }
}
