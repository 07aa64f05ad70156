// Samples from docs/backends.md.
import KV
import Logging
import ServiceLifecycle
#if Redis
import KVRing
import UnixSignals
#endif

func countSessions() async throws -> Int {
    try await withKVStore("memory://") { store in
        try await store.set("session:1", Array("ada".utf8))
        return try await store.list(prefix: "session:").collect().count
    }
}

func readWithClearErrors(_ store: any KVStore) async {
    do {
        _ = try await store.get("user:1")
    } catch let error where error.code == .timeout {
        print("slow node: \(error.node ?? "?")")
    } catch let error where error.code == .partialFailure {
        print("failed keys: \(error.failures.map(\.key))")
    } catch {
        print("failed: \(error)")
    }
}

#if Redis
func monitorRing() async throws {
    let ring = try KVRingStore(options: .init(
        shards: [try KVRingShard(name: "a", address: "127.0.0.1:7000"), try KVRingShard(name: "b", address: "127.0.0.1:7001")]))
    Task { for await event in ring.events() { print(event) } }
    let group = ServiceGroup(configuration: .init(services: [ring], gracefulShutdownSignals: [.sigterm], logger: Logger(label: "app")))
    try await group.run()
}
#endif

func readFromReplicas() async throws -> [UInt8]? {
    let cluster = try await KVStores.open("cluster://127.0.0.1:7100,127.0.0.1:7101?readFrom=replicaPreferred")
    return try await cluster.get("user:1000")
}
