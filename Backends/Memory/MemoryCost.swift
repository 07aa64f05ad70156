/// What an entry costs in memory, as `maxBytes` and ``KVMemoryStore/Statistics/bytes`` count it.
///
/// The heap blocks of the value and of a key too long to be stored inline (over 15 UTF-8 bytes), as glibc's
/// malloc sizes them, plus the entry's share of the stripe's slot array and hash index. The constants were
/// measured with `mallinfo2` (see `MemoryStoreLimitTests.bytesFollowMeasuredMemory`).
enum MemoryCost {
    /// A Swift array's or string's heap header.
    static let heapObjectHeader = 32
    /// A slot (48 bytes) and its cost (8) in the arrays beside it and an index bucket (8 bytes), at the tables'
    /// average occupancy, measured.
    static let tableOverhead = 108
    /// The LRU links (24 bytes) a store with limits keeps beside each slot, at the same occupancy.
    static let recencyOverhead = 36

    /// The cost of an entry as stored; `recency` when the store keeps LRU links (it has limits).
    static func entry(key: String, value: [UInt8], recency: Bool) -> Int {
        entry(key: key, valueCapacity: value.capacity, recency: recency)
    }

    /// The cost of an entry whose value occupies `valueCapacity` bytes (its count, when checked before a write).
    @inline(__always)
    static func entry(key: String, valueCapacity: Int, recency: Bool) -> Int {
        let keyBytes = key.utf8.count
        let keyHeap = keyBytes > 15 ? malloced(heapObjectHeader + keyBytes + 1) : 0
        let valueHeap = valueCapacity == 0 ? 0 : malloced(heapObjectHeader + valueCapacity)
        return tableOverhead + (recency ? recencyOverhead : 0) + keyHeap + valueHeap
    }

    /// The size of the block malloc hands out for `size` bytes: 8 bytes of header, rounded to 16, at least 32;
    /// large blocks are mapped whole pages.
    static func malloced(_ size: Int) -> Int {
        if size >= 128 * 1024 { return (size + 16 + 4095) & ~4095 }
        return max(32, (size + 8 + 15) & ~15)
    }
}
