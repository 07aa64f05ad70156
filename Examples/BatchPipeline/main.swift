// Loads 100,000 cache entries with batchSet, reads them back with batchGet, deletes them by prefix, and
// prints the throughput.   swift run -c release BatchPipeline [--store URL] [--count N]
import ExampleSupport
import KV

struct CachedReply: Codable, Equatable {
    var status: Int
    var body: String
}

let count = Int(ExampleStore.argument("--count") ?? "") ?? 100_000
let (store, configuration) = try await ExampleStore.open()
print("BatchPipeline on \(configuration) with \(count) entries")
let cache = KVClient(store: store, namespace: "example:cache:")

func rate(_ n: Int, _ elapsed: Duration) -> String {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return "\(Int(Double(n) / seconds)) keys/s (\(Int(seconds * 1000)) ms)"
}

let entries = (0..<count).map { (key: "reply:\($0)", value: CachedReply(status: 200, body: "payload \($0)")) }
var start = ContinuousClock.now
try await cache.batchSet(entries, options: .ttl(.seconds(600)))
print("batchSet:    \(rate(count, ContinuousClock.now - start))")

start = ContinuousClock.now
let read = try await cache.batchGet(CachedReply.self, for: entries.map(\.key))
print("batchGet:    \(rate(count, ContinuousClock.now - start)); \(read.count) read back, all equal: \(entries.allSatisfy { read[$0.key] == $0.value })")

start = ContinuousClock.now
var keys: [String] = []
for try await key in cache.list(prefix: "reply:") { keys.append(key) }
print("list:        \(rate(keys.count, ContinuousClock.now - start))")
start = ContinuousClock.now
let deleted = try await cache.batchDelete(keys)
print("batchDelete: \(rate(deleted, ContinuousClock.now - start))")

await store.shutdown()
