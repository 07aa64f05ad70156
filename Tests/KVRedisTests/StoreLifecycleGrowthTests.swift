import CHeapProbe
import Foundation
import KVCore
import KVRedis
import KVTestSupport
import Testing

/// Opening and shutting down stores keeps nothing: after a warm-up, 4,000 more cycles leave the C heap (which
/// Swift objects live on) and the process's resident memory within 1 MB of where they were.
@Suite(.serialized) struct StoreLifecycleGrowthTests {
    static func residentBytes() -> Int {
        let fields = ((try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "").split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    @Test func fourThousandOpensAndShutdownsKeepNothing() async throws {
        let server = try await TestRedisServer.launch()
        let registry = KVBackendRegistry([KVRedisBackend()])
        let configuration = try KVConfiguration(url: "redis://127.0.0.1:\(server.port)?poolSize=1")
        func cycles(_ count: Int) async throws {
            for _ in 0..<count {
                let store = try await registry.open(configuration)
                _ = try await store.get("k")
                await store.shutdown()
            }
        }
        try await cycles(500)
        // Threads end after shutdown returns: let them, so both readings see the same state.
        _ = await eventually(within: .seconds(5)) { ProcessResources.threads(named: "kv-redis") == 0 }
        let heap = kv_heap_bytes_in_use(), resident = Self.residentBytes()
        try await cycles(4000)
        _ = await eventually(within: .seconds(5)) { ProcessResources.threads(named: "kv-redis") == 0 }
        let heapGrowth = kv_heap_bytes_in_use() - heap, residentGrowth = Self.residentBytes() - resident
        print("4,000 redis:// opens and shutdowns after a warm-up of 500: C heap +\(Int(heapGrowth)) bytes (\(Int(heapGrowth) / 4000) per store), resident +\(residentGrowth) bytes")
        #expect(Int(heapGrowth) < 1 << 20 && residentGrowth < 1 << 20)
    }
}
