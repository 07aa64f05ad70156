package import KVCore
package import KVRedisConfiguration

/// What one connection needs: where the node is (an endpoint or a Unix socket), whether it is a replica read
/// with `READONLY`, and the store's address-free `KVRedisNodeConfiguration`.
package struct RedisConnectionConfiguration: Sendable, Hashable {
    package var endpoint: KVEndpoint
    /// Connect to this Unix-domain socket instead of ``endpoint`` (which then only names nothing).
    package var unixSocketPath: String?
    /// Send `READONLY` after connecting (cluster replicas).
    package var readOnly: Bool
    package var settings: KVRedisNodeConfiguration

    package init(endpoint: KVEndpoint, unixSocketPath: String? = nil, readOnly: Bool = false, settings: KVRedisNodeConfiguration = .init()) {
        self.endpoint = endpoint
        self.unixSocketPath = unixSocketPath
        self.readOnly = readOnly
        self.settings = settings
    }

    /// How errors, logs and health name the node: `host:port`, or `unix:/path`.
    package var node: String { unixSocketPath.map { "unix:\($0)" } ?? endpoint.description }
}
