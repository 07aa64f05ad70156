import Foundation
import KVCore
import KVMemory
import KVTestSupport
import Testing

/// KVClient's update, create and getWithTTL, and KVLock, on the memory store (the Redis stores run the same drills).
@Suite struct AtomicClientTests {
    struct Cart: Codable, Equatable { var items: [String] }

    @Test func updateCreatesChangesAndDeletes() async throws {
        let client = KVClient(store: KVMemoryStore(), namespace: "cart:")
        let created = try await client.update(Cart.self, for: "1") { cart in cart = Cart(items: ["tea"]) }
        #expect(created == Cart(items: ["tea"]))
        let changed = try await client.update(Cart.self, for: "1") { cart in cart?.items.append("milk") }
        #expect(changed == Cart(items: ["tea", "milk"]))
        #expect(try await client.get(Cart.self, for: "1") == Cart(items: ["tea", "milk"]))
        #expect(try await client.update(Cart.self, for: "1") { $0 = nil } == nil)
        #expect(try await client.contains("1") == false)
    }

    @Test func updateKeepsTheTTLUnlessToldOtherwise() async throws {
        let client = KVClient(store: KVMemoryStore())
        try await client.set(Cart(items: []), for: "s", options: .ttl(.seconds(100)))
        try await client.update(Cart.self, for: "s") { $0?.items.append("a") }
        #expect(try await client.ttl("s").remaining.map { $0 > .seconds(90) } == true)
        try await client.update(Cart.self, for: "s", options: .ttl(.seconds(5))) { $0?.items.append("b") }
        #expect(try await client.ttl("s").remaining.map { $0 <= .seconds(5) } == true)
    }

    @Test func updateRunningOutOfAttemptsIsAConflictAndWritesNothing() async throws {
        let store = LosingRace()
        let client = KVClient(store: store)
        try await client.set(1, for: "n")
        let attempts = Locked(0)
        await #expect {
            try await client.update(Int.self, for: "n", retry: KVUpdateRetry(maxAttempts: 3, initialBackoff: .microseconds(10))) { value in
                attempts.withLock { $0 += 1 }
                value = (value ?? 0) + 1
            }
        } throws: { ($0 as? KVError)?.code == .conflict }
        #expect(attempts.value == 3)
        #expect(try await client.get(Int.self, for: "n") == 1)
    }

    @Test func updateOnAStoreWithoutCompareAndSetIsUnsupported() async throws {
        let client = KVClient(store: NoAtomicsStore(inner: KVMemoryStore()))
        await #expect { try await client.update(Int.self, for: "n") { $0 = 1 } } throws: { ($0 as? KVError)?.code == .unsupported }
    }

    @Test func createWritesOnlyNewKeys() async throws {
        let client = KVClient(store: KVMemoryStore())
        try await client.create(Cart(items: ["a"]), for: "c", ttl: .seconds(50))
        await #expect { try await client.create(Cart(items: ["b"]), for: "c") } throws: { ($0 as? KVError)?.code == .alreadyExists }
        #expect(try await client.get(Cart.self, for: "c") == Cart(items: ["a"]))
        let read = try await client.getWithTTL(Cart.self, for: "c")
        #expect(read?.value == Cart(items: ["a"]))
        #expect(read?.ttl.remaining.map { $0 > .seconds(40) } == true)
        #expect(try await client.getWithTTL(Cart.self, for: "missing") == nil)
    }

    @Test func contendedUpdatesLoseNothing() async throws {
        let (count, seconds) = try await AtomicDrills.updateCounter(KVMemoryStore(), key: "counter")
        #expect(count == 32_000)
        print("memory: 64 × 500 updates of one key in \(seconds) s")
    }

    @Test func lockHoldersNeverOverlapAndTokensIncrease() async throws {
        let report = try await AtomicDrills.contendForLock(KVMemoryStore(), name: "l")
        #expect(report.overlaps == 0, "\(report)")
        #expect(report.acquisitions == 160)
        #expect(report.tokensIncrease, "\(report)")
    }

    @Test func aLockExpiresUnlessRenewed() async throws {
        let clock = KVManualClock()
        let store = KVMemoryStore(options: .init(clock: clock.memoryClock))
        let lock = KVLock(name: "job", store: store, ttl: .seconds(10))
        let first = try #require(try await lock.acquire())
        #expect(try await lock.acquire() == nil, "held")
        clock.advance(by: .seconds(8))
        #expect(try await first.renew())
        clock.advance(by: .seconds(8))
        #expect(try await lock.acquire() == nil, "renewed, so still held")
        clock.advance(by: .seconds(3))
        let second = try #require(try await lock.acquire(), "expired")
        #expect(second.fencingToken > first.fencingToken)
        #expect(try await first.renew() == false, "the old lease cannot renew")
        #expect(try await first.release() == false, "nor release the new holder's lock")
        #expect(try await second.release())
        #expect(try await lock.acquire() != nil)
    }

    @Test func withLockReleasesAndReportsABusyLock() async throws {
        let store = KVMemoryStore()
        let lock = KVLock(name: "w", store: store, ttl: .seconds(5))
        let value = try await lock.withLock { lease in lease.fencingToken }
        #expect(value == 1)
        #expect(try await store.contains(lock.key) == false, "released")
        let held = try #require(try await lock.acquire())
        await #expect { try await lock.withLock(timeout: .milliseconds(50)) { _ in 0 } } throws: { ($0 as? KVError)?.code == .conflict }
        #expect(try await held.release())
        await #expect { try await lock.withLock { _ in throw CancellationError() } } throws: { $0 is CancellationError }
        #expect(try await store.contains(lock.key) == false, "released after the body threw")
    }
}

/// A store where another writer always gets there first: every compare-and-set fails.
struct LosingRace: KVStore {
    let inner = KVMemoryStore()
    func set(_ key: String, _ value: [UInt8], options: KVSetOptions) async throws(KVError) -> Bool { try inner.set(key, value, options: options) }
    func get(_ key: String) async throws(KVError) -> [UInt8]? { try inner.get(key) }
    func ttl(_ key: String) async throws(KVError) -> KVTimeToLive { try inner.ttl(key) }
    func delete(_ key: String) async throws(KVError) -> Bool { try inner.delete(key) }
    func compareAndSet(_ key: String, expected: [UInt8]?, new: [UInt8]?, options: KVSetOptions) async throws(KVError) -> Bool { false }
    func list(prefix: String) -> KVKeySequence { inner.list(prefix: prefix) }
    func health() async throws(KVError) -> KVHealthReport { try await inner.health() }
    func locate(_ key: String) async throws(KVError) -> KVLocation { try await inner.locate(key) }
    func shutdown() async { await inner.shutdown() }
}
