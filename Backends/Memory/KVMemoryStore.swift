public import KVCore
import Synchronization

/// The embedded store: thread-safe, in-process, the default when nothing is configured.
///
/// Keys are spread over independent stripes, each under its own lock, so concurrent callers rarely wait for
/// each other; batches are applied in slices, so no lock is held for long. TTLs are checked on access, and every
/// write to a stripe holding keys with a TTL also sweeps a few of its slots, so memory does not grow with dead
/// keys. Optional limits (`maxEntries`, `maxBytes`) evict the least recently used keys of the whole store.
///
/// ```swift
/// let cache = KVMemoryStore(options: .init(maxEntries: 10_000))
/// try await cache.set("k", Array("v".utf8), options: .ttl(.seconds(30)))
/// ```
public final class KVMemoryStore: KVStore {
    /// Limits and clock.
    public struct Options: Sendable {
        /// Evict least-recently-used keys beyond this many entries.
        public var maxEntries: Int?
        /// Evict least-recently-used keys beyond this many bytes of memory: keys, values and the tables' share
        /// of each entry. A single entry larger than this is refused with `valueTooLarge`.
        public var maxBytes: Int?
        /// Slots checked for expired keys on every write to a stripe that holds keys with a TTL.
        public var sweepBudget: Int
        public var clock: KVMemoryClock

        public init(maxEntries: Int? = nil, maxBytes: Int? = nil, sweepBudget: Int = 16, clock: KVMemoryClock = .system) {
            self.maxEntries = maxEntries
            self.maxBytes = maxBytes
            self.sweepBudget = sweepBudget
            self.clock = clock
        }
    }

    /// Counters, for tests and metrics.
    public struct Statistics: Sendable, Hashable {
        public var entries = 0
        /// Memory held, as `maxBytes` counts it.
        public var bytes = 0
        public var evictions = 0
        public var expirations = 0
    }

    public let options: Options
    let stripes: MemoryStripes
    private let stripeMask: Int
    private let stripeShift: Int
    /// Present only with limits: reads then keep recency, and writes keep store-wide usage.
    private let recency: MemoryRecency?
    /// The watch feeds (``watch(prefix:)``).
    let watchers = MemoryWatchers()

    /// The default number of stripes: enough that 64 concurrent tasks rarely meet on one lock.
    package static let defaultStripeCount = 32

    public convenience init(options: Options = Options()) {
        self.init(options: options, stripeCount: Self.defaultStripeCount)
    }

    /// - Parameter stripeCount: a power of two.
    package init(options: Options, stripeCount: Int) {
        precondition(stripeCount > 0 && stripeCount & (stripeCount - 1) == 0, "stripeCount must be a power of two")
        self.options = options
        let recency = options.maxEntries != nil || options.maxBytes != nil ? MemoryRecency() : nil
        self.recency = recency
        stripes = MemoryStripes(count: stripeCount) { MemoryTable(clock: options.clock, recency: recency) }
        stripeMask = stripeCount - 1
        stripeShift = UInt.bitWidth - max(1, stripeCount.trailingZeroBitCount)
    }

    deinit { stripes.deallocate() }

    public var statistics: Statistics {
        var total = Statistics()
        for stripe in stripes.indices {
            stripes.withLock(stripe) { table in
                total.entries += table.count
                total.bytes += table.bytes
                total.evictions += table.evictions
                total.expirations += table.expirations
            }
        }
        return total
    }

    /// Removes every expired key now; returns how many.
    @discardableResult
    public func sweepExpired() -> Int {
        stripes.indices.reduce(0) { removed, stripe in removed + withTable(stripe) { $0.sweepAll() } }
    }

    /// The stripe from the hash's top bits (a stripe's index places keys by the low bits).
    @inline(__always)
    func stripeIndex(for key: MemoryKey) -> Int { stripeIndex(forHash: key.hash) }
    @inline(__always)
    func stripeIndex(forHash hash: Int) -> Int { Int(truncatingIfNeeded: UInt(bitPattern: hash) >> stripeShift) & stripeMask }

    /// Runs `body` on a stripe's table under its lock, then records what it added or removed when the store has limits.
    @inline(__always)
    func withTable<T, E: Error>(_ stripe: Int, _ body: (inout MemoryTable) throws(E) -> T) throws(E) -> T {
        var changed: [String] = []
        defer { if !changed.isEmpty { watchers.deliver(changed) } }
        guard let recency else {
            return try stripes.withLock(stripe) { table throws(E) in
                defer { if table.recordsChanges, !table.changedKeys.isEmpty { changed = table.takeChangedKeys() } }
                return try body(&table)
            }
        }
        let (result, entries, bytes) = try stripes.withLock(stripe) { table throws(E) in
            defer { if table.recordsChanges, !table.changedKeys.isEmpty { changed = table.takeChangedKeys() } }
            let (entries, bytes) = (table.count, table.bytes)
            let result = try body(&table)
            return (result, table.count - entries, table.bytes - bytes)
        }
        recency.record(entries: entries, bytes: bytes)
        return result
    }

    /// Runs `body` on the table of `key`'s stripe, unless the store is shut down.
    @inline(__always)
    func withOpenTable<T>(of key: MemoryKey, _ body: (inout MemoryTable) -> T) throws(KVError) -> T {
        try withOpenTable(hash: key.hash, body)
    }

    /// Runs `body` on the table of the stripe for `hash`, unless the store is shut down.
    @inline(__always)
    func withOpenTable<T>(hash: Int, _ body: (inout MemoryTable) -> T) throws(KVError) -> T {
        try withTable(stripeIndex(forHash: hash)) { table throws(KVError) in
            if table.isShutdown { throw KVError.shutdown(node: "memory") }
            return body(&table)
        }
    }

    // MARK: KVStore

    // The single-key calls are synchronous: they never suspend and hold one stripe's lock for well under a
    // microsecond. A synchronous method satisfies the protocol's `async` requirement, and a call through
    // `any KVStore` then skips the executor switch and frame allocation of an async call (about 17 ns of 80).

    @discardableResult
    public func set(_ key: String, _ value: [UInt8], options setOptions: KVSetOptions) throws(KVError) -> Bool {
        try checkWrite(key: key, valueCount: value.count)
        let ttl = try setOptions.ttlMilliseconds(key: key)
        let hash = MemoryKey.hash(of: key)
        let budget = options.sweepBudget
        let written = try withOpenTable(hash: hash) { $0.write(key, hash: hash, value, ttl: ttl, options: setOptions, sweepBudget: budget) }
        if written, recency != nil { enforceLimits() }
        return written
    }

    /// The contract's limits, and `maxBytes`: an entry that alone exceeds it is refused before anything is evicted.
    @inline(__always)
    func checkWrite(key: String, valueCount: Int) throws(KVError) {
        try KVLimits.check(key: key, valueCount: valueCount)
        if let maxBytes = options.maxBytes {
            let cost = MemoryCost.entry(key: key, valueCapacity: valueCount, recency: true)
            if cost > maxBytes {
                throw KVError(.valueTooLarge, "an entry of \(cost) bytes exceeds the store's maxBytes of \(maxBytes)", key: key)
            }
        }
    }

    public func get(_ key: String) throws(KVError) -> [UInt8]? {
        try KVLimits.check(key: key)
        let hash = MemoryKey.hash(of: key)
        return try withOpenTable(hash: hash) { table in table.find(key, hash: hash, now: table.now()).map { table.slots[$0].value } }
    }

    public func ttl(_ key: String) throws(KVError) -> KVTimeToLive {
        try KVLimits.check(key: key)
        let hash = MemoryKey.hash(of: key)
        return try withOpenTable(hash: hash) { table in
            let now = table.now()
            guard let slot = table.find(key, hash: hash, now: now) else { return .missingKey }
            return table.timeToLive(slot, now: now)
        }
    }

    public func delete(_ key: String) throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        let hash = MemoryKey.hash(of: key)
        return try withOpenTable(hash: hash) { table in
            guard let slot = table.find(key, hash: hash, now: table.now()) else { return false }
            table.remove(slot: slot)
            return true
        }
    }

    public func contains(_ key: String) throws(KVError) -> Bool {
        try KVLimits.check(key: key)
        let hash = MemoryKey.hash(of: key)
        return try withOpenTable(hash: hash) { table in table.find(key, hash: hash, now: table.now()) != nil }
    }

    public func list(prefix: String) -> KVKeySequence {
        KVKeySequence { [self] in MemoryPager(store: self, prefix: prefix) }
    }

    public func health() async throws(KVError) -> KVHealthReport {
        if stripes.withLock(0, { $0.isShutdown }) { throw KVError.shutdown(node: "memory") }
        let stats = statistics
        let node = KVNodeHealth(
            name: "memory", address: "in-process", status: .healthy, latency: .zero, role: "embedded",
            details: ["entries": "\(stats.entries)", "bytes": "\(stats.bytes)", "evictions": "\(stats.evictions)", "expirations": "\(stats.expirations)"])
        return KVHealthReport(backend: "memory", nodes: [node])
    }

    public func locate(_ key: String) async throws(KVError) -> KVLocation {
        try KVLimits.check(key: key)
        try withOpenTable(of: MemoryKey(key)) { _ in }
        return KVLocation(key: key, node: "memory")
    }

    public func shutdown() async {
        for stripe in stripes.indices { stripes.withLock(stripe) { $0.close() } }
        watchers.finishAll()
    }

    // MARK: Limits

    /// Evicts the store's least recently used keys until the limits hold. Each round finds the oldest of the
    /// stripes' oldest keys (one lock at a time) and evicts it if nobody touched it meanwhile; the rounds are
    /// bounded by the number of entries.
    func enforceLimits() {
        guard let recency, recency.exceeds(maxEntries: options.maxEntries, maxBytes: options.maxBytes) else { return }
        var rounds = recency.entryCount + stripes.count
        while rounds > 0, recency.exceeds(maxEntries: options.maxEntries, maxBytes: options.maxBytes) {
            rounds -= 1
            var victim: (stripe: Int, stamp: UInt64)?
            for stripe in stripes.indices {
                guard let stamp = stripes.withLock(stripe, { $0.oldestStamp }) else { continue }
                if stamp < victim?.stamp ?? .max { victim = (stripe, stamp) }
            }
            guard let victim else { return }
            _ = withTable(victim.stripe) { $0.evictOldest(ifStamp: victim.stamp) }
        }
    }
}
