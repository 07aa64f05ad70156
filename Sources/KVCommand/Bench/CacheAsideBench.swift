import KV

/// The cache-aside row: `KVClient.getOrLoad` hits of a small Codable value, beside `KVClient.get` of the same
/// key on the same store (both decode it), rounds interleaved. The overhead is the header check and the
/// single-flight lookup a hit does not need: the row's target is 0.9× of the plain get.
enum CacheAsideBench {
    struct Cart: Codable, Sendable {
        var user: String
        var items: [String]
    }

    static let target = 0.9

    static func row(store: any KVStore, backend: String, count: Int) async throws -> BenchRow {
        let client = KVClient(store: store, namespace: "bench:cacheaside:")
        let cart = Cart(user: "ada", items: ["tea", "bread", "milk"])
        let count = min(count, 50_000)
        _ = try await client.getOrLoad(Cart.self, for: "cart", ttl: .seconds(600)) { cart }
        let (hits, gets) = try await MemoryBench.paired(
            store: { try await BenchMeasurement.sequential(count) { _ in _ = try await client.getOrLoad(Cart.self, for: "cart", ttl: .seconds(600)) { cart } } },
            reference: { try await BenchMeasurement.sequential(count) { _ in _ = try await client.get(Cart.self, for: "cart") } })
        _ = try await client.delete("cart")
        return BenchRow("getOrLoad-hit", backend: backend, hits).compared(with: "KVClient.get", opsPerSecond: gets.opsPerSecond, target: target)
    }
}
