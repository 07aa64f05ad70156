// The names before the KV prefix, kept so that existing code still compiles (with a deprecation warning).

@available(*, deprecated, renamed: "KVMemoryStore") public typealias MemoryStore = KVMemoryStore
@available(*, deprecated, renamed: "KVMemoryBackend") public typealias MemoryBackend = KVMemoryBackend
@available(*, deprecated, renamed: "KVMemoryClock") public typealias MemoryClock = KVMemoryClock
@available(*, deprecated, renamed: "KVManualClock") public typealias ManualClock = KVManualClock
