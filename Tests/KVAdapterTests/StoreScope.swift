import Foundation
import KV

/// Runs `body` with the store `url` names and a key prefix of its own, then shuts the store down, also when
/// `body` throws.
func withStore(_ url: String, _ body: (any KVStore, _ prefix: String) async throws -> Void) async throws {
    let store = try await KVStores.open(url)
    do {
        try await body(store, "adapter-test:\(UUID().uuidString):")
    } catch {
        await store.shutdown()
        throw error
    }
    await store.shutdown()
}
