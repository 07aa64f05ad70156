import Synchronization

/// Store-wide recency stamps and usage, kept only when a ``KVMemoryStore`` has limits.
///
/// Each stripe orders its keys by stamp, so the least recently used key of the whole store is the oldest of
/// the stripes' oldest keys: eviction stays exact LRU although no lock covers every stripe.
final class MemoryRecency: Sendable {
    private let clock = Atomic<UInt64>(0)
    private let entries = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)

    /// A stamp larger than every stamp handed out before.
    func next() -> UInt64 { clock.wrappingAdd(1, ordering: .relaxed).newValue }

    /// Records what a stripe operation added (or, negative, removed).
    func record(entries deltaEntries: Int, bytes deltaBytes: Int) {
        if deltaEntries != 0 { entries.wrappingAdd(deltaEntries, ordering: .relaxed) }
        if deltaBytes != 0 { bytes.wrappingAdd(deltaBytes, ordering: .relaxed) }
    }

    /// Whether the store holds more than the limits allow.
    func exceeds(maxEntries: Int?, maxBytes: Int?) -> Bool {
        if let maxEntries, entries.load(ordering: .relaxed) > maxEntries { return true }
        if let maxBytes, bytes.load(ordering: .relaxed) > maxBytes { return true }
        return false
    }

    var entryCount: Int { entries.load(ordering: .relaxed) }
}
