import KVCore

/// The memory store's data: a hash index over slots kept in least-recently-used order.
///
/// Not thread-safe: ``MemoryStore`` guards it with a mutex. Slot indexes are stable while a key lives,
/// which lets `list` page through the slots without copying every key.
struct MemoryTable {
    struct Slot {
        var key: String
        var value: [UInt8]
        /// Milliseconds on the store's clock; 0 means no expiry.
        var expiresAt: UInt64
        /// Insertion order, so a listing can skip keys inserted after it started.
        var sequence: UInt64
        var newer = -1
        var older = -1
        var live: Bool { sequence != 0 }
    }

    private(set) var slots: [Slot] = []
    private var index: [KVExactKey: Int] = [:]
    private var freeSlots: [Int] = []
    private var newest = -1
    private var oldest = -1
    private var sweepCursor = 0
    private(set) var nextSequence: UInt64 = 1
    private(set) var bytes = 0
    private(set) var evictions = 0
    private(set) var expirations = 0

    var count: Int { index.count }

    private static func cost(_ key: String, _ value: [UInt8]) -> Int { key.utf8.count + value.count + 48 }

    /// The live slot of `key`, removing it first if it has expired. Marks it most recently used.
    mutating func find(_ key: String, now: UInt64) -> Int? {
        guard let slot = index[KVExactKey(key)] else { return nil }
        if isExpired(slot, now: now) {
            remove(slot: slot)
            expirations += 1
            return nil
        }
        touch(slot)
        return slot
    }

    func isExpired(_ slot: Int, now: UInt64) -> Bool {
        let expiresAt = slots[slot].expiresAt
        return expiresAt != 0 && expiresAt <= now
    }

    /// Writes a value into an existing slot or a new one.
    mutating func store(_ key: String, _ value: [UInt8], expiresAt: UInt64, existing: Int?) {
        if let slot = existing {
            bytes += Self.cost(key, value) - Self.cost(key, slots[slot].value)
            slots[slot].value = value
            slots[slot].expiresAt = expiresAt
            return
        }
        let slot = Slot(key: key, value: value, expiresAt: expiresAt, sequence: nextSequence)
        nextSequence += 1
        let position: Int
        if let reused = freeSlots.popLast() {
            slots[reused] = slot
            position = reused
        } else {
            slots.append(slot)
            position = slots.count - 1
        }
        index[KVExactKey(key)] = position
        bytes += Self.cost(key, value)
        linkAsNewest(position)
    }

    mutating func remove(slot: Int) {
        unlink(slot)
        index[KVExactKey(slots[slot].key)] = nil
        bytes -= Self.cost(slots[slot].key, slots[slot].value)
        slots[slot] = Slot(key: "", value: [], expiresAt: 0, sequence: 0)
        freeSlots.append(slot)
    }

    /// Evicts least-recently-used keys until the limits hold.
    mutating func evict(maxEntries: Int?, maxBytes: Int?) {
        while oldest >= 0, (maxEntries.map { count > $0 } ?? false) || (maxBytes.map { bytes > $0 } ?? false) {
            remove(slot: oldest)
            evictions += 1
        }
    }

    /// Removes expired keys among the next `budget` slots, cycling through the table, so that dead keys
    /// are reclaimed at the pace of writes even if nobody reads them again.
    mutating func sweep(now: UInt64, budget: Int) {
        guard !slots.isEmpty else { return }
        for _ in 0..<min(budget, slots.count) {
            if sweepCursor >= slots.count { sweepCursor = 0 }
            if slots[sweepCursor].live, isExpired(sweepCursor, now: now) {
                remove(slot: sweepCursor)
                expirations += 1
            }
            sweepCursor += 1
        }
    }

    /// Removes every expired key; returns how many.
    mutating func sweepAll(now: UInt64) -> Int {
        var removed = 0
        for slot in slots.indices where slots[slot].live && isExpired(slot, now: now) {
            remove(slot: slot)
            removed += 1
        }
        expirations += removed
        return removed
    }

    // MARK: LRU list

    private mutating func touch(_ slot: Int) {
        guard newest != slot else { return }
        unlink(slot)
        linkAsNewest(slot)
    }

    private mutating func linkAsNewest(_ slot: Int) {
        slots[slot].older = newest
        slots[slot].newer = -1
        if newest >= 0 { slots[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (slots[slot].newer, slots[slot].older)
        if newer >= 0 { slots[newer].older = older } else { newest = older }
        if older >= 0 { slots[older].newer = newer } else { oldest = newer }
        slots[slot].newer = -1
        slots[slot].older = -1
    }
}
