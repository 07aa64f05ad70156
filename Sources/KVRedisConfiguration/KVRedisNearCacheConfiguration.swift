/// A near cache on a Redis-based store: hot values kept in the client's memory and dropped when the server says
/// that their keys changed (`CLIENT TRACKING`, over RESP2). Off unless set (URL option `nearCache=on`).
///
/// The store opens one invalidation connection per node with broadcast tracking of ``prefixes`` (every key when
/// empty), and serves from memory only while that connection is subscribed and answers its `PING` each second:
/// any loss flushes the node's entries first. An entry lives at most ``maxAge`` and never past the key's expiry.
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
    /// The key prefixes the server reports changes of (URL option `nearCachePrefixes`, comma-separated); only keys
    /// under them are cached. Empty (the default): every key, and a message for every write on the server.
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
