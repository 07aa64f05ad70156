import Synchronization

/// The memory store's stripes: a fixed number of tables, each under its own lock, allocated once and freed by
/// the store's `deinit`. Reaching a stripe costs no reference counting (an object per stripe cost a retain and
/// a release on every call, and on two cores those atomic updates were a tenth of a get).
struct MemoryStripes: @unchecked Sendable {
    // Safe to share between threads: `base` is set once in init and never reassigned or written through
    // except by `Mutex.withLock`, so every table behind it is only ever touched under its own lock; the owning
    // `KVMemoryStore` frees it in its `deinit`, when no call on the store can still be running.
    private let base: UnsafeMutablePointer<Mutex<MemoryTable>>
    let count: Int

    init(count: Int, table: () -> MemoryTable) {
        self.count = count
        base = .allocate(capacity: count)
        for index in 0..<count { (base + index).initialize(to: Mutex(table())) }
    }

    var indices: Range<Int> { 0..<count }

    /// Runs `body` on stripe `index`'s table under its lock.
    @inline(__always)
    func withLock<T, E: Error>(_ index: Int, _ body: (inout MemoryTable) throws(E) -> T) throws(E) -> T {
        precondition(index >= 0 && index < count, "MemoryStripes: index out of range")
        return try base[index].withLock { table throws(E) in try body(&table) }
    }

    /// Frees the tables; only the owning store's `deinit` calls this.
    func deallocate() {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
