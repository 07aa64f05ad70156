/// A near cache on a Redis-based store: hot values kept in the client's memory and dropped when the server says
/// that their keys changed (`CLIENT TRACKING`, over RESP2). Off unless set (URL option `nearCache=on`).
///
/// The store opens one invalidation connection per node and serves from memory only while that connection is
/// subscribed and answers its `PING` each second: any loss flushes the node's entries first. Without
/// ``prefixes`` the server tracks the keys this client reads (on a connection the cache keeps for its misses);
/// with them it reports every write under them (broadcast). An entry lives at most ``maxAge`` and never past the key's expiry.
/// docs/near-cache.md has the guarantee and the measurements.
///
/// ```swift
/// var node = KVRedisNodeConfiguration()
/// node.nearCache = KVRedisNearCacheConfiguration(maxBytes: 32 << 20, maxAge: .seconds(30), prefixes: ["session:"])
/// ```
public struct KVRedisNearCacheConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// The most memory the entries of one node take, keys and bookkeeping counted; the least recently used go
    /// first (URL option `nearCacheMaxBytes`, default 64 MiB).
    public var maxBytes: Int
    /// The longest an entry is served from memory (URL option `nearCacheMaxAge`, default 60 s): a bound on
    /// staleness should an invalidation be lost in a way the client cannot see.
    public var maxAge: Duration
    /// The key prefixes to cache (URL option `nearCachePrefixes`, comma-separated), with broadcast tracking: the
    /// server reports every write under them, read here or not. Empty (the default): every key is cached, and the
    /// server reports changes of the keys this client has read only.
    public var prefixes: [String]

    public init(maxBytes: Int = 64 << 20, maxAge: Duration = .seconds(60), prefixes: [String] = []) {
        self.maxBytes = maxBytes
        self.maxAge = maxAge
        self.prefixes = prefixes
    }

    /// Whether `key` is under one of the ``prefixes`` (every key when there are none).
    public func covers(_ key: String) -> Bool {
        prefixes.isEmpty || prefixes.contains { key.hasPrefix($0) }
    }

    public var description: String {
        var parts = ["nearCache maxBytes=\(maxBytes) maxAge=\(maxAge)"]
        if !prefixes.isEmpty { parts.append("prefixes=\(prefixes.joined(separator: ","))") }
        return parts.joined(separator: " ")
    }
}
