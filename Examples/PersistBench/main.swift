// Hot reads of a Codable cart through Hummingbird's own MemoryPersistDriver, swift-kv's KVPersistDriver and KVClient,
// in the same run: `swift run -c release --enable-all-traits PersistBench [redis://127.0.0.1:6379]`.
// The Redis rows use the URL with nearCache=on. Rounds are interleaved; each row prints its best round.
import Foundation
import KV
#if HummingbirdSupport
import Hummingbird
import KVHummingbird

/// A six-item cart, as a shop keeps one per user.
struct Cart: Codable, Sendable {
    struct Item: Codable, Sendable {
        var sku: String
        var name: String
        var quantity: Int
        var cents: Int
    }

    var owner: String
    var items: [Item]
    var updated: Date
}

/// JSON that ``KVClient`` does not recognise as its own, so it decodes on every read: the cost before decoded
/// values were kept.
struct DecodeEveryTime: KVCodec {
    let json = KVJSONCodec()
    var name: String { "json" }
    func encode<T: Encodable>(_ value: T) throws -> [UInt8] { try json.encode(value) }
    func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T { try json.decode(type, from: bytes) }
}

struct Row: Sendable {
    let name: String
    let read: @Sendable () async throws -> Void
    var best = 0.0
}

let cart = Cart(
    owner: "ada",
    items: (1...6).map { Cart.Item(sku: "sku-\($0)", name: "item number \($0)", quantity: $0, cents: 199 * $0) },
    updated: Date(timeIntervalSince1970: 1_765_000_000))
let arguments = CommandLine.arguments.dropFirst()
let redisURL = arguments.first
let count = 100_000

let hummingbird = MemoryPersistDriver()
try await hummingbird.set(key: "cart", value: cart, expires: nil)
let memory = try await KVStores.open("memory://")
let memoryDriver = KVPersistDriver(store: memory)
try await memoryDriver.set(key: "cart", value: cart, expires: nil)
let memoryClient = KVClient(store: memory)
let memoryEveryTime = KVClient(store: memory, codec: DecodeEveryTime())

var rows = [
    Row(name: "Hummingbird MemoryPersistDriver") { _ = try await hummingbird.get(key: "cart", as: Cart.self) },
    Row(name: "KVPersistDriver, memory://") { _ = try await memoryDriver.get(key: "cart", as: Cart.self) },
    Row(name: "KVClient, memory://") { _ = try await memoryClient.get(Cart.self, for: "cart") },
    Row(name: "KVClient, memory://, decoding every read") { _ = try await memoryEveryTime.get(Cart.self, for: "cart") },
]
var redis: (any KVStore)?
if let redisURL {
    let cached = try await KVStores.open(redisURL + (redisURL.contains("?") ? "&" : "?") + "nearCache=on")
    redis = cached
    let driver = KVPersistDriver(store: cached)
    try await driver.set(key: "persist-bench:cart", value: cart, expires: nil)
    let client = KVClient(store: cached)
    let everyTime = KVClient(store: cached, codec: DecodeEveryTime())
    // The first read fetches; wait until reads are hits (the store's invalidation connection is armed).
    for _ in 0..<200 {
        _ = try await client.get(Cart.self, for: "persist-bench:cart")
        try await Task.sleep(for: .milliseconds(10))
    }
    rows += [
        Row(name: "KVPersistDriver, redis:// nearCache=on") { _ = try await driver.get(key: "persist-bench:cart", as: Cart.self) },
        Row(name: "KVClient, redis:// nearCache=on") { _ = try await client.get(Cart.self, for: "persist-bench:cart") },
        Row(name: "KVClient, redis:// nearCache=on, decoding every read") { _ = try await everyTime.get(Cart.self, for: "persist-bench:cart") },
    ]
}

/// The rounds, on the global executor: top-level code runs on the main actor, and a read awaited from there would
/// cost two thread hand-offs, more than the read.
enum Rounds {
    static func run(_ rows: [Row], count: Int) async throws -> [Row] {
        var rows = rows
        for _ in 0..<5 {
            for index in rows.indices {
                let read = rows[index].read
                let start = ContinuousClock.now
                for _ in 0..<count { try await read() }
                let elapsed = ContinuousClock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                rows[index].best = max(rows[index].best, Double(count) / seconds)
            }
        }
        return rows
    }
}

rows = try await Rounds.run(rows, count: count)
let reference = rows[0].best
print("hot reads of a six-item cart, \(count) per round, best of 5 interleaved rounds")
for row in rows {
    let ratio = String(format: "%.2f", row.best / reference)
    print("\(row.name.padding(toLength: 56, withPad: " ", startingAt: 0)) \(String(format: "%12.0f", row.best)) reads/s  \(ratio)x MemoryPersistDriver")
}
await memory.shutdown()
await redis?.shutdown()
#else
print("PersistBench needs the HummingbirdSupport trait: swift run -c release --enable-all-traits PersistBench")
#endif
