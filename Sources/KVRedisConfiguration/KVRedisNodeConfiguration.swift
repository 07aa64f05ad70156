import KVCore

/// How a Redis-based store talks to each of its nodes: authentication, database, timeouts, TLS, the pool and how
/// batches and listings are cut. It names no address: every store takes its addresses separately (an endpoint
/// or a socket, a ring's named shards, cluster seeds, sentinels) and uses this for every node it reaches.
///
/// Every store has the same defaults, and the URL options of the same names set the same fields.
///
/// ```swift
/// var node = KVRedisNodeConfiguration()
/// node.commandTimeout = .milliseconds(500)
/// node.tls = KVTLSConfiguration(caFile: "/etc/ssl/redis-ca.pem")
/// let store = KVRedisStore(options: .init(endpoint: KVEndpoint(host: "cache.internal", port: 6380), node: node))
/// ```
public struct KVRedisNodeConfiguration: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// `AUTH user password` when set with ``password``; ACL users need both (URL option `user`).
    public var user: String?
    /// `AUTH password`, or `AUTH user password` with ``user`` (URL option `password`).
    public var password: String?
    /// `SELECT database` after connecting, when not 0 (URL option `database` or the URL's path).
    public var database: Int
    /// `CLIENT SETNAME`, so the connections show in `CLIENT LIST` (URL option `clientName`).
    public var clientName: String?
    /// Bound on establishing a connection, TLS handshake included (default 2 s).
    public var connectTimeout: Duration
    /// Bound on each command's reply; a command that exceeds it fails with `timeout` (default 2 s).
    public var commandTimeout: Duration
    /// A connection unused for this long is checked with `PING` before it carries commands again (default 30 s).
    public var idleCheckInterval: Duration
    /// The first wait before reconnecting after a failed connect; it doubles up to ``maxReconnectDelay``.
    public var reconnectDelay: Duration
    /// The longest wait between reconnection attempts (default 1 s).
    public var maxReconnectDelay: Duration
    /// Speak TLS to every node (nil: plaintext).
    public var tls: KVTLSConfiguration?
    /// The most elements a reply's array may announce (default 1,048,576); a reply announcing more fails its
    /// request with `serverError` at once and the connection is closed, before anything is allocated for it.
    public var maxReplyElements: Int
    /// The most bytes a reply's string may announce (default `KVLimits.maxValueBytes`, the largest value a
    /// store accepts); beyond it, as for ``maxReplyElements``.
    public var maxReplyBytes: Int
    /// Connections to each node, each with its own thread; nil (the default) chooses by the store's shape:
    /// 2 for a store with one server (redis, rediss, unix, sentinel), 1 per node for a ring or a cluster.
    /// Fewer connections make longer automatic pipelines (see docs/benchmarks.md).
    public var poolSize: Int?
    /// Commands per pipeline in batches (default 1000).
    public var batchChunkSize: Int
    /// Pipelines of one batch in flight at once per node (default 8).
    public var maxChunksInFlight: Int
    /// The `COUNT` hint of `SCAN` in listings (default 1000).
    public var scanCount: Int
    /// Keep hot values in memory, invalidated by the server (nil, the default: off). See
    /// ``KVRedisNearCacheConfiguration``.
    public var nearCache: KVRedisNearCacheConfiguration?

    public init(
        user: String? = nil, password: String? = nil, database: Int = 0, clientName: String? = nil,
        connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(2), idleCheckInterval: Duration = .seconds(30),
        reconnectDelay: Duration = .milliseconds(50), maxReconnectDelay: Duration = .seconds(1), tls: KVTLSConfiguration? = nil,
        poolSize: Int? = nil, batchChunkSize: Int = 1000, maxChunksInFlight: Int = 8, scanCount: Int = 1000
    ) {
        self.user = user
        self.password = password
        self.database = database
        self.clientName = clientName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.idleCheckInterval = idleCheckInterval
        self.reconnectDelay = reconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
        self.tls = tls
        self.maxReplyElements = 1 << 20
        self.maxReplyBytes = KVLimits.maxValueBytes
        self.poolSize = poolSize
        self.batchChunkSize = batchChunkSize
        self.maxChunksInFlight = maxChunksInFlight
        self.scanCount = scanCount
        self.nearCache = nil
    }

    /// The settings, with the password shown as `***`.
    public var description: String {
        var parts: [String] = []
        if let user { parts.append("user=\(user)") }
        if password != nil { parts.append("password=\(KVRedaction.mask)") }
        if database != 0 { parts.append("database=\(database)") }
        if let clientName { parts.append("clientName=\(clientName)") }
        parts.append("connectTimeout=\(connectTimeout) commandTimeout=\(commandTimeout)")
        if let poolSize { parts.append("poolSize=\(poolSize)") }
        if let tls { parts.append(tls.description) }
        if let nearCache { parts.append(nearCache.description) }
        return parts.joined(separator: " ")
    }

    /// Only ``description``, so that `dump` and reflection never show the password either.
    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }
}
