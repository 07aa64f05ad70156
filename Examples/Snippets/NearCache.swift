// Samples from docs/near-cache.md (Tests/DocsTests checks that the two agree).
import KV

public func nearCacheDecodedValues() async throws {
    let carts = KVClient(store: try await KVStores.open("redis://127.0.0.1:6379?nearCache=on"), namespace: "cart:")
    let cart = try await carts.get(Cart.self, for: "ada")  // a hit: no round trip, no decoding
    _ = cart
}
