// Samples from docs/integrations.md and the README's quick tour (Tests/DocsTests checks the docs).
#if VaporSupport
import KV
import KVVapor
import Vapor

func vaporApp() async throws {
    let app = try await Application.make(.detect())
    let store = try await KVStores.open("redis://127.0.0.1:6379")
    app.caches.use(.kv(store))
    app.get("hello") { req async throws -> String in
        let hits = (try await req.cache.get("hits", as: Int.self) ?? 0) + 1
        try await req.cache.set("hits", to: hits, expiresIn: .minutes(5))
        return "hello #\(hits)"
    }
    try await app.execute()
    try await app.asyncShutdown()
}
#endif
