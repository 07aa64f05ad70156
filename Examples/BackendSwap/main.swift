// The same code against memory, redis, ring and cluster, chosen only by configuration.
//   swift run BackendSwap [CONFIG_FILE...]       each file is JSON or YAML: {store: URL, options: {...}}
//   KV_STORE=redis://127.0.0.1:6379 swift run BackendSwap
// With no file it uses --store, KV_STORE / KV_CONFIG, or memory://, and lists which backends it could reach.
import ExampleSupport
import Foundation
import KV
import Logging
#if FileConfiguration
import KVFileConfiguration
#endif

/// The application code: it knows only `KVStore` and `KVClient`.
func run(on store: any KVStore) async throws -> String {
    struct Cart: Codable, Equatable { var items: [String] }
    let carts = KVClient(store: store, namespace: "example:swap:")
    try await carts.set(Cart(items: ["tea"]), for: "cart-1", options: .ttl(.seconds(60)))
    let cart = try await carts.get(Cart.self, for: "cart-1")
    _ = try await carts.delete("cart-1")
    let health = try await store.health()
    return "round trip \(cart == Cart(items: ["tea"]) ? "ok" : "WRONG"), health \(health.status.rawValue), \(health.nodes.count) node(s)"
}

let files = CommandLine.arguments.dropFirst().filter { [".yaml", ".yml", ".json"].contains(where: $0.hasSuffix) }
var configurations: [(String, Result<KVConfiguration, KVError>)] = []
if files.isEmpty {
    configurations.append(("environment", Result { () throws(KVError) in try ExampleStore.configuration() }))
} else {
    #if FileConfiguration
    for file in files { configurations.append((file, Result { () throws(KVError) in try KVConfiguration.load(file: file) })) }
    #else
    for file in files { configurations.append((file, .failure(.invalidConfiguration("built without the FileConfiguration trait")))) }
    #endif
}

var reachable: [String] = []
for (source, configuration) in configurations {
    switch configuration {
    case .failure(let error):
        print("\(source): bad configuration: \(error)")
    case .success(let configuration):
        do {
            var logger = Logger(label: "example")
            logger.logLevel = .critical
            let store = try await KVStores.open(configuration, logger: logger)
            let outcome = try await run(on: store)
            await store.shutdown()
            print("\(source): \(configuration.scheme):// reachable — \(outcome)")
            reachable.append(configuration.scheme)
        } catch {
            print("\(source): \(configuration.scheme):// not reachable — \(error)")
        }
    }
}
print("reachable backends: \(reachable.isEmpty ? "none" : reachable.joined(separator: ", "))")
