import KVCore

extension MemoryTable {
    /// `compareAndSet` on this stripe, under its lock.
    mutating func compareAndSet(_ key: MemoryKey, expected: [UInt8]?, new: [UInt8]?, ttl: Int64?, keepTTL: Bool, sweepBudget: Int) -> Bool {
        let now = now(force: ttl != nil)
        let existing = find(key, now: now)
        guard existing.map({ slots[$0].value }) == expected else { return false }
        if let new {
            store(key, new, expiresAt: expiry(ttl: ttl, keepTTL: keepTTL, existing: existing, now: now), existing: existing)
        } else if let existing {
            remove(slot: existing)
        }
        if expiringCount > 0 { sweep(now: now, budget: sweepBudget) }
        return true
    }

    /// `increment` on this stripe, under its lock: Redis `INCRBY` semantics, the TTL applied only to a new key.
    mutating func increment(_ key: MemoryKey, by delta: Int64, ttl: Int64?, sweepBudget: Int) throws(KVError) -> Int64 {
        let now = now(force: ttl != nil)
        let existing = find(key, now: now)
        let (value, bytes) = try KVAtomic.add(delta, to: existing.map { slots[$0].value }, key: key.key)
        let expiresAt = existing.map { slots[$0].expiresAt } ?? expiry(ttl: ttl, keepTTL: false, existing: nil, now: now)
        store(key, bytes, expiresAt: expiresAt, existing: existing)
        if expiringCount > 0 { sweep(now: now, budget: sweepBudget) }
        return value
    }

    /// The time a live slot has left.
    func timeToLive(_ slot: Int, now: UInt64) -> KVTimeToLive {
        let expiresAt = slots[slot].expiresAt
        return expiresAt == 0 ? .persistent : .expires(in: .milliseconds(Int64(clamping: expiresAt - now)))
    }

    /// The expiry of a write: `ttl` from now, the existing key's with `keepTTL`, else none (0).
    func expiry(ttl: Int64?, keepTTL: Bool, existing: Int?, now: UInt64) -> UInt64 {
        if let ttl {
            let (sum, overflow) = now.addingReportingOverflow(UInt64(ttl))
            return overflow ? .max : sum
        }
        if keepTTL, let existing { return slots[existing].expiresAt }
        return 0
    }
}
