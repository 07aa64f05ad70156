// Samples from docs/watch.md (Tests/DocsTests checks that the two agree).
import KV

func watchConfiguration(store: any KVStore) async throws {
    var known: [String: [UInt8]] = [:]
    for try await event in store.watch(prefix: "config:") {
        switch event {
        case .ready, .resync:
            known = [:]
            for try await key in store.list(prefix: "config:") { known[key] = try await store.get(key) }
        case .changed(let key):
            known[key] = try await store.get(key)
        }
    }
    _ = known
}
