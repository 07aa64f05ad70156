// Samples from docs/getting-started.md (Tests/DocsTests checks that the two agree).
import KV
import KVFileConfiguration  // KVConfiguration.resolve()

struct Session: Codable, Equatable {
    var user: String
    var cart: [String]
}

#if FileConfiguration  // KVConfiguration.resolve reads KV_CONFIG files
func firstCodableStore() async throws {
    let store = try await KVStores.open(KVConfiguration.resolve())  // KV_STORE, KV_CONFIG, or memory://
    let sessions = KVClient(store: store, namespace: "session:")
    try await sessions.set(Session(user: "ada", cart: ["tea"]), for: "42", options: .ttl(.seconds(1800)))
    if let session = try await sessions.get(Session.self, for: "42") {
        print("\(session.user) has \(session.cart.count) item(s)")
    }
    await store.shutdown()
}
#endif

func firstRedisStore() async throws {
    let store = try await KVStores.open("redis://127.0.0.1:6379")
    let sessions = KVClient(store: store, namespace: "session:")
    try await sessions.set(Session(user: "grace", cart: []), for: "7")
    print(try await sessions.get(Session.self, for: "7") ?? "missing")
    await store.shutdown()
}
