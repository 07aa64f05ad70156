import KVCore
@testable import KVMemory
import KVTestSupport
import Synchronization
import Testing

/// The memory store's watch feed: exact, bounded for a slow consumer, released when its consumer goes.
@Suite struct MemoryWatchTests {
    /// Reads events from `iterator` until `count` arrived, 5 s at most.
    /// The next `count` events, or fewer if they do not come within 5 s (the store is then shut down, which ends
    /// the feed).
    static func take(_ count: Int, from iterator: inout KVWatchFeed.Iterator, store: any KVStore) async throws -> [KVWatchEvent] {
        var events: [KVWatchEvent] = []
        try await withWatchdog(.seconds(5), expire: { await store.shutdown() }) {
            while events.count < count, let event = try await iterator.next() { events.append(event) }
        }
        return events
    }

    @Test func everyChangeIsSignalledOnceInOrderAndExpiriesBySweep() async throws {
        let store = KVMemoryStore()
        let kv: any KVStore = store
        var events = store.watch(prefix: "s:").makeAsyncIterator()
        #expect(try await Self.take(1, from: &events, store: store) == [.ready])
        try await kv.set("s:1", [1])
        _ = try await kv.compareAndSet("s:1", expected: [1], new: [2], options: .default)
        _ = try await kv.increment("s:n", by: 1, ttlIfCreated: nil)
        try await kv.set("t:1", [1])
        _ = try await kv.delete("s:1")
        try await kv.batchSet([KVEntry("s:2", [2]), KVEntry("s:3", [3])])
        _ = try await kv.batchDelete(["s:2", "nothing"])
        try await kv.set("s:ttl", [1], options: KVSetOptions(ttl: .milliseconds(50)))
        try await Task.sleep(for: .milliseconds(100))
        #expect(store.sweepExpired() == 1)
        // A batch's keys are applied stripe by stripe, in no set order between keys: compare each batch as a multiset.
        let received = try await Self.take(9, from: &events, store: store)
        let singles: [KVWatchEvent] = ["s:1", "s:1", "s:n", "s:1"].map { .changed($0) }
        #expect(Array(received.prefix(4)) == singles, "each change once, in order, none outside the prefix: \(received)")
        #expect(received.dropFirst(4).prefix(3).map(\.description).sorted() == ["s:2", "s:2", "s:3"].map { KVWatchEvent.changed($0).description }.sorted(), "\(received)")
        #expect(Array(received.suffix(2)) == [.changed("s:ttl"), .changed("s:ttl")], "\(received)")
        #expect(received.count == 9)
        let active = store.watchers.active.load(ordering: .relaxed)
        #expect(active)
        await store.shutdown()
        await #expect(throws: KVError.self) { _ = try await events.next() }
    }

    @Test func aConsumerThatStopsReadingGetsAResyncNotUnboundedMemory() async throws {
        let store: any KVStore = KVMemoryStore()
        var events = store.watch(prefix: "").makeAsyncIterator()
        #expect(try await Self.take(1, from: &events, store: store) == [.ready])
        for index in 0..<100_000 { try await store.set("k\(index % 500)", [UInt8(truncatingIfNeeded: index)]) }
        let first = try await Self.take(2, from: &events, store: store)
        #expect(first.count == 2)
        if case .resync(let reason)? = first.first { #expect(reason.contains("behind"), "\(reason)") } else { Issue.record("expected a resync first, got \(first)") }
        #expect(first.last == .ready)
        try await store.set("after", [1])
        var rest: [KVWatchEvent] = []
        try await withWatchdog(.seconds(10), expire: { await store.shutdown() }) {
            while rest.last != .changed("after"), let event = try await events.next() { rest.append(event) }
        }
        #expect(rest.count <= 10_000, "at most the buffer's capacity was kept: \(rest.count)")
    }

    @Test func cancellingTheConsumerEndsTheFeedAndReleasesIt() async throws {
        let store = KVMemoryStore()
        let started = Mutex(false)
        let consumer = Task {
            var count = 0
            for try await _ in store.watch(prefix: "") {
                started.withLock { $0 = true }
                count += 1
            }
            return count
        }
        #expect(await eventually { started.withLock { $0 } })
        consumer.cancel()
        _ = try await consumer.value
        #expect(await eventually { !store.watchers.active.load(ordering: .relaxed) }, "the last feed's end stops the recording")
        let kv: any KVStore = store
        try await kv.set("k", [1])
        #expect(store.stripes.withLock(store.stripeIndex(for: MemoryKey("k"))) { $0.changedKeys.isEmpty })
    }

    @Test func runSignalsExpiriesWithoutATouch() async throws {
        let store = KVMemoryStore()
        try await store.withRunning { store in
            var events = store.watch(prefix: "").makeAsyncIterator()
            #expect(try await Self.take(1, from: &events, store: store) == [.ready])
            try await (store as any KVStore).set("ttl", [1], options: KVSetOptions(ttl: .milliseconds(50)))
            #expect(try await Self.take(2, from: &events, store: store) == [.changed("ttl"), .changed("ttl")], "the write, then the expiry found by run()'s sweep")
        }
    }

    @Test func kvClientStripsItsNamespaceAndAThirdPartyStoreSaysUnsupported() async throws {
        let store = KVMemoryStore()
        let sessions = KVClient(store: store, namespace: "session:")
        var events = sessions.watch().makeAsyncIterator()
        #expect(try await Self.take(1, from: &events, store: store) == [.ready])
        try await sessions.set("x", for: "ada")
        #expect(try await Self.take(1, from: &events, store: store) == [.changed("ada")])
        var unsupported = NoAtomicsStore(inner: store).watch(prefix: "").makeAsyncIterator()
        await #expect { _ = try await unsupported.next() } throws: { ($0 as? KVError)?.code == .unsupported }
    }
}
