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
        "hello #\(try await req.cache.increment("hits"))"
    }
    app.put("cart", ":item") { req async throws -> String in
        let item = try req.parameters.require("item")
        let cart = try await req.cache.update("cart:7", as: [String].self) { cart in
            cart = (cart ?? []) + [item]
        }
        return "\(cart?.count ?? 0) items"
    }
    try await app.execute()
    try await app.asyncShutdown()
}
#endif

#if VaporSupport
func vaporSessions(app: Application, store: any KVStore) {
    app.sessions.use(.kv(store))
    app.middleware.use(app.sessions.middleware)
    app.post("login", ":user") { req async throws -> String in
        req.session.data["user"] = try req.parameters.require("user")
        return "welcome"
    }
    app.get("me") { req async throws -> String in
        req.session.data["user"] ?? "nobody"
    }
}
#endif

#if VaporSupport
func vaporHealth(app: Application, store: any KVStore) {
    app.kvHealth("health", store: store)
}
#endif
