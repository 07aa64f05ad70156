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
        let visits = (try await persist.get(key: "visits", as: Int.self) ?? 0) + 1
        try await persist.set(key: "visits", value: visits, expires: .seconds(3600))
        return "\(visits)"
    }
    let app = Application(router: router, services: [persist])
    try await app.runService()
}
#endif
