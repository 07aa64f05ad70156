// Samples from docs/integrations.md and the README's quick tour (Tests/DocsTests checks the docs).
#if HummingbirdSupport
import Hummingbird
import KV
import KVHummingbird

func hummingbirdApp() async throws {
    let store = try await KVStores.open("redis://127.0.0.1:6379")
    let persist = KVPersistDriver(store: store)
    let router = Router()
    router.get("/visits") { _, _ in
        "\(try await persist.increment(key: "visits"))"
    }
    router.put("/cart/:item") { _, context in
        let item = try context.parameters.require("item")
        let cart = try await persist.update(key: "cart:7", as: [String].self) { cart in
            cart = (cart ?? []) + [item]
        }
        return "\(cart?.count ?? 0) items"
    }
    let app = Application(router: router, services: [persist])
    try await app.runService()
}
#endif

#if HummingbirdSupport
func hummingbirdHealth(router: Router<BasicRequestContext>, store: any KVStore) {
    router.addKVHealthRoute("/health", store: store)
}
#endif
