// The names before the KV prefix, kept so that existing code still compiles (with a deprecation warning).

@available(*, deprecated, renamed: "KVRingStore") public typealias RingStore = KVRingStore
@available(*, deprecated, renamed: "KVRingBackend") public typealias RingBackend = KVRingBackend
@available(*, deprecated, renamed: "KVRingShard") public typealias RingShard = KVRingShard
@available(*, deprecated, renamed: "KVRingEvent") public typealias RingEvent = KVRingEvent
@available(*, deprecated, renamed: "KVRingShardDownPolicy") public typealias RingShardDownPolicy = KVRingShardDownPolicy
@available(*, deprecated, renamed: "KVRingHashMode") public typealias RingHashMode = KVRingHashMode
@available(*, deprecated, renamed: "KVRingRebalanceProgress") public typealias RingRebalanceProgress = KVRingRebalanceProgress
@available(*, deprecated, renamed: "KVRingRebalanceReport") public typealias RingRebalanceReport = KVRingRebalanceReport
@available(*, deprecated, renamed: "KVConsistentHash") public typealias ConsistentHash = KVConsistentHash
@available(*, deprecated, renamed: "KVShardPlacement") public typealias ShardPlacement = KVShardPlacement
@available(*, deprecated, renamed: "KVRendezvousHash") public typealias RendezvousHash = KVRendezvousHash
@available(*, deprecated, renamed: "KVJumpConsistentHash") public typealias JumpConsistentHash = KVJumpConsistentHash
@available(*, deprecated, renamed: "KVModuloHash") public typealias ModuloHash = KVModuloHash
