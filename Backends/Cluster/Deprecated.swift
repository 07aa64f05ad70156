// The names before the KV prefix, kept so that existing code still compiles (with a deprecation warning).

@available(*, deprecated, renamed: "KVClusterStore") public typealias ClusterStore = KVClusterStore
@available(*, deprecated, renamed: "KVClusterBackend") public typealias ClusterBackend = KVClusterBackend
@available(*, deprecated, renamed: "KVClusterSlot") public typealias ClusterSlot = KVClusterSlot
@available(*, deprecated, renamed: "KVClusterTopology") public typealias ClusterTopology = KVClusterTopology
