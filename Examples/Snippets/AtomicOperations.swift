// Samples from docs/atomic-operations.md (Tests/DocsTests checks that the two agree).
public import KV

struct Cart: Codable {
    var items: [String] = []
    func adding(_ item: String) -> Cart { Cart(items: items + [item]) }
}

struct User: Codable { var name: String }

/// Stands for whatever a lock protects: it refuses writes with a fencing token older than one it has seen.
actor ReportArchive {
    private var newestToken: Int64 = 0
    func write(_ day: String, fencingToken: Int64) throws {
        guard fencingToken > newestToken else { throw KVError(.conflict, "stale lock holder for \(day)") }
        newestToken = fencingToken
    }
}

public func atomicOperations(store: any KVStore, old: [UInt8], updated: [UInt8]) async throws {
    let carts = KVClient(store: store, namespace: "carts:")
    let users = KVClient(store: store, namespace: "user:")
    let sessions = KVClient(store: store, namespace: "session:")
    let reports = ReportArchive()
    let day = "2026-11-24"

    // Compare-and-set: write only over the value you read (nil expected = absent, nil new = delete).
    let swapped = try await store.compareAndSet("cart:7", expected: old, new: updated, options: KVSetOptions(keepTTL: true))

    // Counters with Redis INCRBY semantics.
    let hits = try await store.increment("hits:/home", by: 1, ttlIfCreated: .seconds(60))

    // Optimistic update of a Codable value: retried on conflicts with jittered backoff.
    let cart = try await carts.update(Cart.self, for: "7") { cart in cart = (cart ?? Cart()).adding("tea") }

    // Create only if absent (alreadyExists otherwise), and a value with its TTL in one round trip.
    try await users.create(User(name: "ada"), for: "ada")
    if let read = try await sessions.getWithTTL(Session.self, for: "42") { print(read.value.user, read.ttl) }

    // A lock with fencing tokens.
    try await KVLock(name: "nightly-report", store: store, ttl: .seconds(30)).withLock(timeout: .seconds(5)) { lease in
        try await reports.write(day, fencingToken: lease.fencingToken)
    }
    print(swapped, hits, cart?.items ?? [])
}
