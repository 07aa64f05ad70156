package import KVCore

/// One node's near-cache entries: least-recently-used within a byte budget, each with a local deadline, and a
/// pending marker per key being fetched, so that a reply that raced an invalidation is never stored (Redis's
/// client-side-caching guide). Keys compare by their bytes (`KVExactKey`), as the server's do. Not thread-safe: ``RedisNearCache`` holds it under a lock. No I/O, no clock of its
/// own: times are monotonic nanoseconds from the caller, so tests drive them.
package struct RedisNearCacheTable {
    /// A point in time: monotonic nanoseconds.
    package typealias Nanoseconds = UInt64

    /// What a hit returns: the value (nil: the key was absent), the key's expiry on the server, if any, and a
    /// decoded value kept beside the bytes (``KVDecodedValue``).
    package struct Hit: Equatable {
        package var value: [UInt8]?
        package var serverExpiry: Nanoseconds?
        package var decoded: KVDecodedValue?

        package init(value: [UInt8]?, serverExpiry: Nanoseconds?, decoded: KVDecodedValue? = nil) {
            self.value = value
            self.serverExpiry = serverExpiry
            self.decoded = decoded
        }

        package static func == (lhs: Hit, rhs: Hit) -> Bool { lhs.value == rhs.value && lhs.serverExpiry == rhs.serverExpiry }
    }

    /// Memory counted for a decoded value kept beside an entry, beyond its encoded size (an estimate of the decoded
    /// value's).
    package static let decodedOverhead = 128

    /// Memory counted per entry beyond its key and value: the slot (72 bytes), its index entry, and both tables'
    /// spare capacity at worst. Measured: a million distinct keys through a 4 MiB cache grew the heap by 227 bytes
    /// per entry of 8-byte keys with no value (`NearCacheTests`).
    package static let entryOverhead = 224

    private struct Slot {
        var key: String
        var value: [UInt8]?
        var deadline: Nanoseconds
        var serverExpiry: Nanoseconds?
        var cost: Int
        var newer = -1
        var older = -1
    }

    package let maxBytes: Int
    private var index: [KVExactKey: Int] = [:]
    private var slots: [Slot] = []
    private var freeSlots: [Int] = []
    private var newest = -1
    private var oldest = -1
    private var pending: [KVExactKey: UInt64] = [:]
    /// Decoded values kept beside entries, by slot: few entries have one, so they stay out of the slots.
    private var decoded: [Int: KVDecodedValue] = [:]
    private var nextTicket: UInt64 = 0
    /// Memory the entries take now, by ``entryOverhead``'s rule.
    package private(set) var bytes = 0

    package init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    package var count: Int { index.count }
    package var pendingCount: Int { pending.count }

    /// The entry of `key` while its deadline has not passed (it then becomes the most recently used).
    package mutating func lookup(_ key: String, now: Nanoseconds) -> Hit? {
        guard let slot = index[KVExactKey(key)] else { return nil }
        guard slots[slot].deadline > now else {
            remove(slot)
            return nil
        }
        touch(slot)
        return Hit(value: slots[slot].value, serverExpiry: slots[slot].serverExpiry, decoded: decoded.isEmpty ? nil : decoded[slot])
    }

    /// Keeps `value` beside `key`'s entry if the entry still holds the very buffer it was decoded from; it is
    /// counted as the encoded size plus ``decodedOverhead``, and the least recently used other entries make room.
    /// Returns whether it was kept.
    @discardableResult
    package mutating func keep(_ value: KVDecodedValue, for key: String) -> Bool {
        guard let slot = index[KVExactKey(key)], let held = slots[slot].value, KVDecodedValue.sameBuffer(held, value.source) else { return false }
        let previous = decoded[slot] == nil ? 0 : held.count + Self.decodedOverhead
        let added = held.count + Self.decodedOverhead - previous
        guard slots[slot].cost + added <= maxBytes / 8 else { return false }
        decoded[slot] = value
        slots[slot].cost += added
        bytes += added
        while bytes > maxBytes, oldest >= 0, oldest != slot { remove(oldest) }
        return true
    }

    /// Marks `key` as being fetched; the returned ticket stores the reply only if nothing invalidated the key since.
    package mutating func begin(_ key: String) -> UInt64 {
        nextTicket &+= 1
        pending[KVExactKey(key)] = nextTicket
        return nextTicket
    }

    /// Stores the fetched entry if `ticket` is still the key's pending marker, and ends the marker either way.
    /// Values too large for an eighth of the budget are not stored. Returns whether it was stored.
    @discardableResult
    package mutating func complete(
        _ key: String, ticket: UInt64, value: [UInt8]?, serverExpiry: Nanoseconds?, deadline: Nanoseconds
    ) -> Bool {
        let exact = KVExactKey(key)
        guard pending[exact] == ticket else { return false }
        pending[exact] = nil
        let cost = key.utf8.count + (value?.count ?? 0) + Self.entryOverhead
        guard cost <= maxBytes / 8 else { return false }
        if let existing = index[exact] { remove(existing) }
        while bytes + cost > maxBytes, oldest >= 0 { remove(oldest) }
        let slot = Slot(key: key, value: value, deadline: min(deadline, serverExpiry ?? deadline), serverExpiry: serverExpiry, cost: cost)
        let position: Int
        if let reused = freeSlots.popLast() {
            slots[reused] = slot
            position = reused
        } else {
            slots.append(slot)
            position = slots.count - 1
        }
        index[exact] = position
        bytes += cost
        link(position)
        return true
    }

    /// Ends a fetch that failed, without storing anything.
    package mutating func abandon(_ key: String, ticket: UInt64) {
        if pending[KVExactKey(key)] == ticket { pending[KVExactKey(key)] = nil }
    }

    /// Drops `key`'s entry and cancels its fetch in flight.
    package mutating func invalidate(_ key: String) {
        let exact = KVExactKey(key)
        pending[exact] = nil
        if let slot = index[exact] { remove(slot) }
    }

    /// Drops every entry and cancels every fetch in flight.
    package mutating func removeAll() {
        index = [:]
        slots = []
        freeSlots = []
        newest = -1
        oldest = -1
        pending = [:]
        decoded = [:]
        bytes = 0
    }

    private mutating func remove(_ slot: Int) {
        unlink(slot)
        index[KVExactKey(slots[slot].key)] = nil
        bytes -= slots[slot].cost
        slots[slot].value = nil
        if !decoded.isEmpty { decoded[slot] = nil }
        slots[slot].key = ""
        freeSlots.append(slot)
    }

    private mutating func touch(_ slot: Int) {
        guard slot != newest else { return }
        unlink(slot)
        link(slot)
    }

    private mutating func link(_ slot: Int) {
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
