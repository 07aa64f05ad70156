public import KVCore

/// A named shard of a ring: the name places keys, the address says where they live.
/// How to talk to it comes from the ring's ``KVRingStore/Options/node`` (and ``KVRingStore/Options/configureShard``).
///
/// ```swift
/// let shard = try KVRingShard(name: "s1", address: "127.0.0.1:7000")
/// ```
public struct KVRingShard: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var endpoint: KVEndpoint

    public init(name: String, endpoint: KVEndpoint) {
        self.name = name
        self.endpoint = endpoint
    }

    /// A shard at `address`: `host:port`, `host` (port 6379) or `[v6]:port`.
    public init(name: String, address: String) throws(KVError) {
        self.init(name: name, endpoint: try KVEndpoint(parsing: address, defaultPort: 6379))
    }

    public var description: String { "\(name)=\(endpoint)" }
}

/// A change in the ring, published by ``KVRingStore/events()`` and logged.
public enum KVRingEvent: Sendable, Hashable, CustomStringConvertible {
    case up(shard: String)
    case down(shard: String, error: String)
    case added(shard: String)
    case removed(shard: String)

    public var description: String {
        switch self {
        case .up(let shard): "shard \(shard) is up"
        case .down(let shard, let error): "shard \(shard) is down: \(error)"
        case .added(let shard): "shard \(shard) was added"
        case .removed(let shard): "shard \(shard) was removed"
        }
    }
}

/// What a ring does with a down shard's keys.
public enum KVRingShardDownPolicy: String, Sendable {
    /// Send them to the survivors (maximum availability; values written meanwhile stay on the survivor).
    case reroute
    /// Fail calls for them at once with `unavailable`.
    case fail
}
