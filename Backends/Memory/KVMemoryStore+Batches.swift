public import KVCore

extension KVMemoryStore {
    /// Batches are applied in slices of this many keys: each slice takes every stripe's lock once, for its
    /// share of the slice (tens of microseconds), so concurrent callers never wait long.
    static let sliceSize = 1024

    public func batchSet(_ entries: [KVEntry], options setOptions: KVSetOptions) async throws(KVError) {
        for entry in entries { try checkWrite(key: entry.key, valueCount: entry.value.count) }
        let ttl = try setOptions.ttlMilliseconds()
        let budget = options.sweepBudget
        try await forEachInSlices(entries.count, key: { MemoryKey(entries[$0].key) }) { table, key, index in
            _ = table.write(key, entries[index].value, ttl: ttl, options: setOptions, sweepBudget: budget)
        }
    }

    public func batchGet(_ keys: [String]) async throws(KVError) -> [String: [UInt8]] {
        try KVLimits.check(keys: keys)
        var result: [String: [UInt8]] = Dictionary(minimumCapacity: keys.count)
        try await forEachInSlices(keys.count, key: { MemoryKey(keys[$0]) }) { table, key, index in
            if let slot = table.find(key, now: table.now()) { result[keys[index]] = table.slots[slot].value }
        }
        return result
    }

    public func batchDelete(_ keys: [String]) async throws(KVError) -> Int {
        try KVLimits.check(keys: keys)
        var deleted = 0
        try await forEachInSlices(keys.count, key: { MemoryKey(keys[$0]) }) { table, key, _ in
            guard let slot = table.find(key, now: table.now()) else { return }
            table.remove(slot: slot)
            deleted += 1
        }
        return deleted
    }

    /// Calls `apply` for each index in `0..<count` under the lock of its key's stripe, slice by slice and,
    /// within a slice, stripe by stripe (in the batch's order within each stripe, so the last duplicate wins).
    /// Between slices it enforces the limits and, about every millisecond, yields to other tasks.
    private func forEachInSlices(
        _ count: Int, key: (Int) -> MemoryKey, _ apply: (inout MemoryTable, MemoryKey, Int) -> Void
    ) async throws(KVError) {
        var keys: [MemoryKey] = []
        keys.reserveCapacity(min(count, Self.sliceSize))
        var buckets = [[Int32]](repeating: [], count: stripes.count)
        let clock = ContinuousClock()
        var lastYield = clock.now
        for start in stride(from: 0, to: count, by: Self.sliceSize) {
            let end = min(start + Self.sliceSize, count)
            keys.removeAll(keepingCapacity: true)
            for index in start..<end {
                let key = key(index)
                buckets[stripeIndex(for: key)].append(Int32(index - start))
                keys.append(key)
            }
            for (stripe, bucket) in zip(stripes.indices, buckets) where !bucket.isEmpty {
                try withTable(stripe) { table throws(KVError) in
                    if table.isShutdown { throw KVError.shutdown(node: "memory") }
                    for offset in bucket { apply(&table, keys[Int(offset)], start + Int(offset)) }
                }
            }
            for stripe in buckets.indices { buckets[stripe].removeAll(keepingCapacity: true) }
            enforceLimits()
            if end < count, clock.now - lastYield > .milliseconds(1) {
                await Task.yield()
                lastYield = clock.now
            }
        }
    }
}
