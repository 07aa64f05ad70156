/// How to reach and talk to one Redis node: shared by the redis, ring and cluster stores.
///
/// ```swift
/// var connection = RedisConnectionConfiguration(endpoint: KVEndpoint(host: "127.0.0.1", port: 6379))
/// connection.commandTimeout = .milliseconds(500)
/// ```
public struct RedisConnectionConfiguration: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    public var endpoint: KVEndpoint
    /// `AUTH user password` when set with ``password``; ACL users need both.
    public var user: String?
    /// `AUTH password`, or `AUTH user password` with ``user``.
    public var password: String?
    /// `SELECT database` after connecting, when not 0.
    public var database: Int
    /// `CLIENT SETNAME`, so the connection shows in `CLIENT LIST`.
    public var clientName: String?
    /// Bound on establishing a TCP connection.
    public var connectTimeout: Duration
    /// Bound on each read and write of a command; a command that exceeds it fails with `timeout`.
    public var commandTimeout: Duration
    /// A connection unused for this long is checked with `PING` before it carries commands again.
    public var idleCheckInterval: Duration
    /// The first wait before reconnecting after a failed connect; it doubles up to ``maxReconnectDelay``.
    public var reconnectDelay: Duration
    public var maxReconnectDelay: Duration
    /// Send `READONLY` after connecting (cluster replicas).
    public var readOnly: Bool
    /// Connect to this Unix-domain socket instead of ``endpoint`` (which then only names nothing).
    public var unixSocketPath: String?
    /// Speak TLS on the connection (nil: plaintext).
    public var tls: KVTLSConfiguration?
    /// The most elements a reply's array may announce (default 1,048,576); a reply announcing more fails its
    /// request with `serverError` at once and the connection is closed, before anything is allocated for it.
    public var maxReplyElements = 1 << 20
    /// The most bytes a reply's string may announce (default ``KVLimits/maxValueBytes``, the largest value a
    /// store accepts); beyond it, as for ``maxReplyElements``.
    public var maxReplyBytes = KVLimits.maxValueBytes

    /// How errors, logs and health name the node: `host:port`, or `unix:/path`.
    public var node: String { unixSocketPath.map { "unix:\($0)" } ?? endpoint.description }

    public init(
        endpoint: KVEndpoint, user: String? = nil, password: String? = nil, database: Int = 0, clientName: String? = nil,
        connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(2), idleCheckInterval: Duration = .seconds(30),
        reconnectDelay: Duration = .milliseconds(50), maxReconnectDelay: Duration = .seconds(1), readOnly: Bool = false
    ) {
        self.endpoint = endpoint
        self.user = user
        self.password = password
        self.database = database
        self.clientName = clientName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.idleCheckInterval = idleCheckInterval
        self.reconnectDelay = reconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
        self.readOnly = readOnly
    }

    /// The endpoint and settings, with the password shown as `***`.
    public var description: String {
        var parts = [node]
        if let user { parts.append("user=\(user)") }
        if password != nil { parts.append("password=\(KVRedaction.mask)") }
        if database != 0 { parts.append("database=\(database)") }
        if let clientName { parts.append("clientName=\(clientName)") }
        parts.append("connectTimeout=\(connectTimeout) commandTimeout=\(commandTimeout)")
        if readOnly { parts.append("readOnly") }
        if let tls { parts.append(tls.description) }
        return parts.joined(separator: " ")
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["description": description], displayStyle: .struct)
    }
}
