import KVCore
import Synchronization

/// The embedded store: thread-safe, in-process, the default when nothing is configured.
///
/// TTLs are checked on access, and every write also sweeps a few slots for expired keys, so memory
/// does not grow with dead keys. Optional limits (`maxEntries`, `maxBytes`) evict the least recently used keys.
///
/// ```swift
/// let cache = MemoryStore(options: .init(maxEntries: 10_000))
/// try await cache.set("k", Array("v".utf8), options: .ttl(.seconds(30)))
/// ```
public final class MemoryStore: KVStore {
    /// Limits and clock.
    public struct Options: Sendable {
        /// Evict least-recently-used keys beyond this many entries.
        public var maxEntries: Int?
        /// Evict least-recently-used keys beyond this many bytes (keys, values and 48 bytes of overhead each).
        public var maxBytes: Int?
        /// Slots checked for expired keys on every write.
        public var sweepBudget: Int
        public var clock: MemoryClock

        public init(maxEntries: Int? = nil, maxBytes: Int? = nil, sweepBudget: Int = 16, clock: MemoryClock = .system) {
            self.maxEntries = maxEntries
            self.maxBytes = maxBytes
            self.sweepBudget = sweepBudget
            self.clock = clock
        }
    }

    /// Counters, for tests and metrics.
    public struct Statistics: Sendable, Hashable {
        public var entries: Int
        public var bytes: Int
        public var evictions: Int
        public var expirations: Int

        init(_ table: MemoryTable) {
            entries = table.count
            bytes = table.bytes
            evictions = table.evictions
            expirations = table.expirations
        }
    }

    private struct State {
        var table = MemoryTable()
        var isShutdown = false
    }

    public let options: Options
    private let state = Mutex(State())

    public init(options: Options = Options()) {
        self.options = options
    }

    public var statistics: Statistics {
        state.withLock { Statistics($0.table) }
    }

    /// Removes every expired key now; returns how many.
    @discardableResult
    public func sweepExpired() -> Int {
        let now = options.clock.nowMilliseconds()
        return state.withLock { $0.table.sweepAll(now: now) }
    }

    private func withTable<T>(_ body: (inout MemoryTable, UInt64) throws(KVError) -> T) throws(KVError) -> T {
        let now = options.clock.nowMilliseconds()
        return try state.withLock { (state) throws(KVError) -> T in
            if state.isShutdown { throw KVError.shutdown(node: "memory") }
            return try body(&state.table, now)
        }
    }

    // MARK: KVStore

    @discardableResult
    public func set(_ key: String, _ value: [UInt8], options setOptions: KVSetOptions) async throws(KVError) -> Bool {
        try KVLimits.check(key: key, valueCount: value.count)
        let ttl = try setOptions.ttlMilliseconds(key: key)
        return try withTable { table, now in write(&table, now: now, key: key, value: value, ttl: ttl, options: setOptions) }
    }

    private func write(_ table: inout MemoryTable, now: UInt64, key: String, value: [UInt8], ttl: Int64?, options setOptions: KVSetOptions) -> Bool {
        let existing = table.find(key, now: now)
        switch setOptions.condition {
        case .always: break
        case .onlyIfAbsent: if existing != nil { return false }
        case .onlyIfPresent: if existing == nil { return false }
        }
        let expiresAt: UInt64
        if let ttl {
            expiresAt = now + UInt64(ttl)
        } else if setOptions.keepTTL, let existing {
            expiresAt = table.slots[existing].expiresAt
        } else {
            expiresAt = 0
        }
        table.store(key, value, expiresAt: expiresAt, existing: existing)
        table.sweep(now: now, budget: options.sweepBudget)
        table.evict(maxEntries: options.maxEntries, maxBytes: options.maxBytes)
        return true
    }

    public func get(_ key: String) async throws(KVError) -> [UInt8]? {
        try KVLimits.check(key: key)
        return try withTable { table, now in table.find(key, now: now).map { table.slots[$0].value } }
    }

    public func ttl(_ key: String) async throws(KVError) -> KVTimeToLive {
        try KVLimits.check(key: key)
        return try withTable { table, now in
            guard let slot = table.find(key, now: now) else { return .missingKey }
            let expiresAt = table.slots[slot].expiresAt
            return expiresAt == 0 ? .persistent : .expires(in: .milliseconds(Int64(expiresAt - now)))
        }
    }

    public func delete(_ key: String) async throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        return try withTable { table, now in
            guard let slot = table.find(key, now: now) else { return false }
            table.remove(slot: slot)
            return true
        }
    }

    public func contains(_ key: String) async throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        return try withTable { table, now in table.find(key, now: now) != nil }
    }

    public func list(prefix: String) -> KVKeySequence {
        KVKeySequence { [self] in Pager(store: self, prefix: prefix) }
    }

    /// Pages through the slots under the lock, 1,000 slots at a time. Prefixes match byte by byte, as in Redis. Keys inserted after the listing
    /// started are skipped, so a key deleted and re-inserted meanwhile is never listed twice.
    private struct Pager: KVKeyPageSource {
        let store: MemoryStore
        let prefix: String
        var position = 0
        var startSequence: UInt64?

        mutating func nextPage() async throws(KVError) -> [String]? {
            var position = self.position
            var startSequence = self.startSequence
            let prefix = self.prefix
            let page: [String]? = try store.withTable { table, now in
                let limit = startSequence ?? table.nextSequence
                startSequence = limit
                guard position < table.slots.count else { return nil }
                let end = min(position + 1000, table.slots.count)
                var keys: [String] = []
                for slot in position..<end {
                    let entry = table.slots[slot]
                    if entry.live, entry.sequence < limit, !table.isExpired(slot, now: now), entry.key.utf8.starts(with: prefix.utf8) {
                        keys.append(entry.key)
                    }
                }
                position = end
                return keys
            }
            self.position = position
            self.startSequence = startSequence
            return page
        }
    }

    public func batchSet(_ entries: [KVEntry], options setOptions: KVSetOptions) async throws(KVError) {
        try KVLimits.check(entries: entries)
        let ttl = try setOptions.ttlMilliseconds()
        try withTable { table, now in
            for entry in entries { _ = write(&table, now: now, key: entry.key, value: entry.value, ttl: ttl, options: setOptions) }
        }
    }

    public func batchGet(_ keys: [String]) async throws(KVError) -> [String: [UInt8]] {
        try KVLimits.check(keys: keys)
        return try withTable { table, now in
            var result: [String: [UInt8]] = [:]
            for key in keys { if let slot = table.find(key, now: now) { result[key] = table.slots[slot].value } }
            return result
        }
    }

    public func batchDelete(_ keys: [String]) async throws(KVError) -> Int {
        try KVLimits.check(keys: keys)
        return try withTable { table, now in
            var deleted = 0
            for key in keys {
                if let slot = table.find(key, now: now) {
                    table.remove(slot: slot)
                    deleted += 1
                }
            }
            return deleted
        }
    }

    public func health() async throws(KVError) -> KVHealthReport {
        let stats = try withTable { table, _ in Statistics(table) }
        let node = KVNodeHealth(
            name: "memory", address: "in-process", status: .healthy, latency: .zero, role: "embedded",
            details: ["entries": "\(stats.entries)", "bytes": "\(stats.bytes)", "evictions": "\(stats.evictions)", "expirations": "\(stats.expirations)"])
        return KVHealthReport(backend: "memory", nodes: [node])
    }

    public func locate(_ key: String) async throws(KVError) -> KVLocation {
        try KVLimits.check(key: key)
        try withTable { _, _ in }
        return KVLocation(key: key, node: "memory")
    }

    public func shutdown() async {
        state.withLock {
            $0.isShutdown = true
            $0.table = MemoryTable()
        }
    }
}
