/// Overall or per-node health.
public enum KVHealthStatus: String, Sendable, Hashable, Codable, Comparable {
    case healthy
    case degraded
    case unhealthy

    private var rank: Int {
        switch self {
        case .healthy: 0
        case .degraded: 1
        case .unhealthy: 2
        }
    }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// The health of one node (a server, shard or cluster member).
public struct KVNodeHealth: Sendable, Hashable, Codable {
    /// The node's name: `host:port`, a shard name, or `memory`.
    public var name: String
    /// Where it is (`host:port`), or a description for embedded stores.
    public var address: String
    public var status: KVHealthStatus
    /// The measured round trip, in milliseconds, if one was made.
    public var latencyMilliseconds: Double?
    /// The last error seen on this node, if any.
    public var lastError: String?
    /// The node's role where it has one (`master`, `replica`, `shard`).
    public var role: String?
    /// Cheap extra facts (entries, memory, version, slots...).
    public var details: [String: String]

    public init(
        name: String, address: String, status: KVHealthStatus, latency: Duration? = nil,
        lastError: String? = nil, role: String? = nil, details: [String: String] = [:]
    ) {
        self.name = name
        self.address = address
        self.status = status
        self.latencyMilliseconds = latency.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }
        self.lastError = lastError
        self.role = role
        self.details = details
    }
}

/// The result of `health()`: an overall status and one entry per node.
public struct KVHealthReport: Sendable, Hashable, Codable {
    public var status: KVHealthStatus
    /// The backend's scheme (`memory`, `redis`, `ring`, `cluster`).
    public var backend: String
    public var nodes: [KVNodeHealth]

    public init(status: KVHealthStatus, backend: String, nodes: [KVNodeHealth]) {
        self.status = status
        self.backend = backend
        self.nodes = nodes
    }

    /// A report whose overall status follows its nodes: healthy when all are, unhealthy when none is, else degraded.
    public init(backend: String, nodes: [KVNodeHealth]) {
        let healthy = nodes.filter { $0.status == .healthy }.count
        let status: KVHealthStatus =
            nodes.isEmpty || healthy == 0 ? .unhealthy : (healthy == nodes.count ? .healthy : .degraded)
        self.init(status: status, backend: backend, nodes: nodes)
    }
}
