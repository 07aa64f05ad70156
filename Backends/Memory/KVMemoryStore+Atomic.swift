public import KVCore

extension KVMemoryStore {
    public func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?, options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        let ttl = try KVAtomic.check(key: key, expected: expected, new: new, options: setOptions)
        if let new { try checkWrite(key: key, valueCount: new.count) }
        let key = MemoryKey(key)
        let budget = options.sweepBudget
        let swapped = try withOpenTable(of: key) {
            $0.compareAndSet(key, expected: expected, new: new, ttl: ttl, keepTTL: setOptions.keepTTL, sweepBudget: budget)
        }
        if swapped, new != nil { enforceLimits() }
        return swapped
    }

    public func increment(_ key: String, by delta: Int64, ttlIfCreated: Duration?) async throws(KVError) -> Int64 {
        let ttl = try KVAtomic.check(key: key, ttlIfCreated: ttlIfCreated)
        try checkWrite(key: key, valueCount: 20)
        let key = MemoryKey(key)
        let budget = options.sweepBudget
        let value = try withTable(stripeIndex(for: key)) { (table) throws(KVError) -> Int64 in
            if table.isShutdown { throw KVError.shutdown(node: "memory") }
            return try table.increment(key, by: delta, ttl: ttl, sweepBudget: budget)
        }
        enforceLimits()
        return value
    }

    public func getWithTTL(_ key: String) async throws(KVError) -> KVValueWithTTL? {
        try KVLimits.check(key: key)
        let key = MemoryKey(key)
        return try withOpenTable(of: key) { table in
            let now = table.now()
            guard let slot = table.find(key, now: now) else { return nil }
            return KVValueWithTTL(value: table.slots[slot].value, ttl: table.timeToLive(slot, now: now))
        }
    }
}
