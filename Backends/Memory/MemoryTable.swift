import KVCore

/// One stripe of the memory store: a hash index over slots, and, when the store has limits, the stripe's keys
/// in least-recently-used order.
///
/// Not thread-safe: ``KVMemoryStore`` guards each stripe with a mutex of its own. Slot indexes are stable while a
/// key lives, which lets `list` page through the slots without copying every key. The clock is read only while
/// the stripe holds a key with an expiry, and recency is kept only when the store evicts.
struct MemoryTable {
    /// What a lookup reads, 48 bytes; the rest of an entry lives in arrays beside it, so lookups touch less memory.
    struct Slot {
        var key: MemoryKey
        var value: [UInt8]
        /// Milliseconds on the store's clock; 0 means no expiry.
        var expiresAt: UInt64
        /// Insertion order, so a listing can skip keys inserted after it started; 0 marks a free slot.
        var sequence: UInt64
        var live: Bool { sequence != 0 }
    }

    /// A slot's place in the least-recently-used list, kept only when the store evicts.
    struct RecencyLink {
        /// The store-wide recency stamp of the last access.
        var stamp: UInt64 = 0
        var newer = -1
        var older = -1
    }

    private(set) var slots: [Slot] = []
    /// The bytes charged for each slot's entry (see ``MemoryCost``).
    private var costs: [Int] = []
    /// Each slot's LRU links; empty when the store has no limits.
    private var links: [RecencyLink] = []
    /// A decoded value kept beside each slot's bytes (``KVClient``'s), grown only when one is kept.
    private var decoded: [KVDecodedValue?] = []
    private var index = MemoryIndex()
    private var freeSlots: [Int] = []
    private var newest = -1
    private var oldest = -1
    private var sweepCursor = 0
    private(set) var nextSequence: UInt64 = 1
    private(set) var bytes = 0
    private(set) var evictions = 0
    private(set) var expirations = 0
    /// Live keys with an expiry. While it is 0 no operation reads the clock or sweeps.
    private(set) var expiringCount = 0
    var isShutdown = false
    /// While a watch feed is registered: the keys that writes, deletes, expiries and evictions changed, handed
    /// to the feeds by the store after it releases the stripe's lock.
    var recordsChanges = false
    private(set) var changedKeys: [String] = []

    let clock: KVMemoryClock
    /// Hands out recency stamps; `nil` when the store has no limits, so reads write nothing.
    let recency: MemoryRecency?

    init(clock: KVMemoryClock, recency: MemoryRecency?) {
        self.clock = clock
        self.recency = recency
    }

    var count: Int { index.count }
    /// The recency stamp of this stripe's least recently used key.
    var oldestStamp: UInt64? { oldest >= 0 ? links[oldest].stamp : nil }

    /// The current time if any key here can expire (or `force`), else 0.
    func now(force: Bool = false) -> UInt64 {
        expiringCount > 0 || force ? clock.nowMilliseconds() : 0
    }

    /// The live slot of `key`, removing it first if it has expired. Marks it most recently used.
    mutating func find(_ key: MemoryKey, now: UInt64) -> Int? {
        find(key.key, hash: key.hash, now: now)
    }

    /// ``find(_:now:)`` for a key whose hash the caller computed (``MemoryKey/hash(of:)``).
    @inline(__always)
    mutating func find(_ key: String, hash: Int, now: UInt64) -> Int? {
        guard let slot = index.find(hash: hash, matches: { slots[$0].key.hash == hash && MemoryKey.sameBytes(slots[$0].key.key, key) })
        else { return nil }
        if isExpired(slot, now: now) {
            remove(slot: slot)
            expirations += 1
            return nil
        }
        if recency != nil { touch(slot) }
        return slot
    }

    func isExpired(_ slot: Int, now: UInt64) -> Bool {
        let expiresAt = slots[slot].expiresAt
        return expiresAt != 0 && expiresAt <= now
    }

    /// `set` on this stripe: checks the condition, writes, and sweeps a few slots for expired keys.
    mutating func write(_ key: MemoryKey, _ value: [UInt8], ttl: Int64?, options: KVSetOptions, sweepBudget: Int) -> Bool {
        write(key.key, hash: key.hash, value, ttl: ttl, options: options, sweepBudget: sweepBudget)
    }

    /// ``write(_:_:ttl:options:sweepBudget:)`` for a key whose hash the caller computed.
    @inline(__always)
    mutating func write(_ key: String, hash: Int, _ value: [UInt8], ttl: Int64?, options: KVSetOptions, sweepBudget: Int) -> Bool {
        let now = now(force: ttl != nil)
        let existing = find(key, hash: hash, now: now)
        switch options.condition {
        case .always: break
        case .onlyIfAbsent: if existing != nil { return false }
        case .onlyIfPresent: if existing == nil { return false }
        }
        store(key, hash: hash, value, expiresAt: expiry(ttl: ttl, keepTTL: options.keepTTL, existing: existing, now: now), existing: existing)
        if expiringCount > 0 { sweep(now: now, budget: sweepBudget) }
        return true
    }

    /// Writes a value into an existing slot or a new one.
    mutating func store(_ key: MemoryKey, _ value: [UInt8], expiresAt: UInt64, existing: Int?) {
        store(key.key, hash: key.hash, value, expiresAt: expiresAt, existing: existing)
    }

    /// ``store(_:_:expiresAt:existing:)`` for a key whose hash the caller computed: a replaced value keeps the
    /// slot's key, so only a new slot takes a copy of the caller's.
    @inline(__always)
    mutating func store(_ key: String, hash: Int, _ value: [UInt8], expiresAt: UInt64, existing: Int?) {
        let cost = MemoryCost.entry(key: key, value: value, recency: recency != nil)
        if recordsChanges { changedKeys.append(key) }
        if let slot = existing {
            if slot < decoded.count { decoded[slot] = nil }
            bytes += cost - costs[slot]
            expiringCount += (expiresAt != 0 ? 1 : 0) - (slots[slot].expiresAt != 0 ? 1 : 0)
            slots[slot].value = value
            slots[slot].expiresAt = expiresAt
            costs[slot] = cost
            return
        }
        let slot = Slot(key: MemoryKey(key, hash: hash), value: value, expiresAt: expiresAt, sequence: nextSequence)
        nextSequence += 1
        let position: Int
        if let reused = freeSlots.popLast() {
            slots[reused] = slot
            costs[reused] = cost
            position = reused
        } else {
            slots.append(slot)
            costs.append(cost)
            if recency != nil { links.append(RecencyLink()) }
            position = slots.count - 1
        }
        index.insert(hash: hash, slot: position)
        bytes += cost
        if expiresAt != 0 { expiringCount += 1 }
        if recency != nil { linkAsNewest(position) }
    }

    mutating func remove(slot: Int) {
        if recordsChanges { changedKeys.append(slots[slot].key.key) }
        if recency != nil { unlink(slot) }
        index.remove(hash: slots[slot].key.hash, slot: slot)
        bytes -= costs[slot]
        if slots[slot].expiresAt != 0 { expiringCount -= 1 }
        slots[slot] = Slot(key: MemoryTable.freeKey, value: [], expiresAt: 0, sequence: 0)
        costs[slot] = 0
        if slot < decoded.count { decoded[slot] = nil }
        freeSlots.append(slot)
    }

    /// The decoded value kept beside `slot`'s bytes (the reader checks that it is still theirs).
    func decodedValue(at slot: Int) -> KVDecodedValue? {
        slot < decoded.count ? decoded[slot] : nil
    }

    /// Keeps `value` beside `slot`'s bytes if they are still the very buffer it was decoded from.
    mutating func keep(_ value: KVDecodedValue, at slot: Int) {
        guard KVDecodedValue.sameBuffer(slots[slot].value, value.source) else { return }
        if decoded.count < slots.count { decoded.append(contentsOf: repeatElement(nil, count: slots.count - decoded.count)) }
        decoded[slot] = value
    }

    private static let freeKey = MemoryKey("")

    /// Evicts this stripe's least recently used key if its stamp is still `stamp`; returns whether it did.
    mutating func evictOldest(ifStamp stamp: UInt64) -> Bool {
        guard oldest >= 0, links[oldest].stamp == stamp else { return false }
        remove(slot: oldest)
        evictions += 1
        return true
    }

    /// Removes expired keys among the next `budget` slots, cycling through the stripe, so that dead keys
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
    mutating func sweepAll() -> Int {
        guard expiringCount > 0 else { return 0 }
        let now = now()
        var removed = 0
        for slot in slots.indices where slots[slot].live && isExpired(slot, now: now) {
            remove(slot: slot)
            removed += 1
        }
        expirations += removed
        return removed
    }

    /// Empties the stripe for good: every later call on the store throws `shutdown`.
    mutating func close() {
        self = MemoryTable(clock: clock, recency: recency)
        isShutdown = true
    }

    /// The keys changed since the last call.
    mutating func takeChangedKeys() -> [String] {
        defer { changedKeys = [] }
        return changedKeys
    }

    // MARK: LRU list, ordered by recency stamp

    private mutating func touch(_ slot: Int) {
        guard newest != slot else {
            links[slot].stamp = recency?.next() ?? 0
            return
        }
        unlink(slot)
        linkAsNewest(slot)
    }

    private mutating func linkAsNewest(_ slot: Int) {
        links[slot].stamp = recency?.next() ?? 0
        links[slot].older = newest
        links[slot].newer = -1
        if newest >= 0 { links[newest].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (links[slot].newer, links[slot].older)
        if newer >= 0 { links[newer].older = older } else { newest = older }
        if older >= 0 { links[older].newer = newer } else { oldest = newer }
        links[slot].newer = -1
        links[slot].older = -1
    }
}
