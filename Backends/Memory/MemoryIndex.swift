/// A stripe's hash index: open addressing with linear probing over slot numbers.
///
/// Each bucket holds the low 32 bits of the key's hash beside its slot number, so a probe compares keys only
/// on a 32-bit match, and growing re-places buckets without touching the slots. Deletion shifts later entries
/// back, so lookups never meet tombstones. The load stays at most 3/4, so every probe ends at an empty bucket.
struct MemoryIndex {
    /// 0: empty; else `low32(hash) << 32 | (slot + 1)`.
    private var buckets = [UInt64](repeating: 0, count: 16)
    private(set) var count = 0

    private var mask: Int { buckets.count - 1 }

    @inline(__always) private static func bucket(hash: Int, slot: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: hash)) << 32 | UInt64(slot + 1)
    }

    @inline(__always) private static func home(_ bucket: UInt64, mask: Int) -> Int { Int(truncatingIfNeeded: bucket >> 32) & mask }

    /// The slot of the key with `hash` for which `matches` holds.
    @inline(__always)
    func find(hash: Int, matches: (Int) -> Bool) -> Int? {
        let tag = UInt64(UInt32(truncatingIfNeeded: hash))
        return buckets.withUnsafeBufferPointer { buckets in
            let mask = buckets.count - 1
            var position = hash & mask
            while true {
                let bucket = buckets[position]
                if bucket == 0 { return nil }
                if bucket >> 32 == tag {
                    let slot = Int(truncatingIfNeeded: bucket & 0xFFFF_FFFF) - 1
                    if matches(slot) { return slot }
                }
                position = (position + 1) & mask
            }
        }
    }

    /// Adds `slot` under `hash`; the key must not be present.
    mutating func insert(hash: Int, slot: Int) {
        if (count + 1) * 4 > buckets.count * 3 { grow() }
        place(Self.bucket(hash: hash, slot: slot))
        count += 1
    }

    private mutating func place(_ bucket: UInt64) {
        let mask = self.mask
        var position = Self.home(bucket, mask: mask)
        while buckets[position] != 0 { position = (position + 1) & mask }
        buckets[position] = bucket
    }

    private mutating func grow() {
        let old = buckets
        buckets = [UInt64](repeating: 0, count: old.count * 2)
        for bucket in old where bucket != 0 { place(bucket) }
    }

    /// Removes `slot`, stored under `hash`.
    mutating func remove(hash: Int, slot: Int) {
        let mask = self.mask
        let wanted = Self.bucket(hash: hash, slot: slot)
        var hole = hash & mask
        while buckets[hole] != wanted {
            precondition(buckets[hole] != 0, "MemoryIndex: removing a slot that is not indexed")
            hole = (hole + 1) & mask
        }
        // Shift back every later entry of the run that may move into the hole.
        var next = hole
        while true {
            next = (next + 1) & mask
            let bucket = buckets[next]
            if bucket == 0 { break }
            let home = Self.home(bucket, mask: mask)
            if (next - home) & mask >= (next - hole) & mask {
                buckets[hole] = bucket
                hole = next
            }
        }
        buckets[hole] = 0
        count -= 1
    }

    /// The index's memory, for the store's byte accounting tests.
    var capacityBytes: Int { buckets.count * MemoryLayout<UInt64>.stride }
}
