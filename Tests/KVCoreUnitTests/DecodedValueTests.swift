import Foundation
import KVCore
import KVMemory
import KVTestSupport
import Synchronization
import Testing

/// `KVClient` keeps the decoded value beside the memory store's entry: a hit skips decoding, and any change of
/// the key's bytes makes the next read decode again.
@Suite struct DecodedValueTests {
    typealias Cart = CountingCart

    final class Box: Codable, @unchecked Sendable {  // unchecked: immutable after decoding, only compared in tests
        let owner: String
        init(owner: String) { self.owner = owner }
    }

    struct Other: Codable, Sendable, Equatable {
        var owner: String
    }

    @Test func aHitReturnsTheKeptValueUntilTheKeyChanges() async throws {
        let store: any KVStore = KVMemoryStore()
        let client = KVClient(store: store)
        try await client.set(Cart(owner: "hit", items: ["tea"]), for: "cart")
        for _ in 0..<100 { #expect(try await client.get(Cart.self, for: "cart") == Cart(owner: "hit", items: ["tea"])) }
        #expect(CountingCart.decodes(of: "hit") == 1, "decoded once, then kept")
        try await client.set(Cart(owner: "hit", items: ["tea", "scones"]), for: "cart")
        #expect(try await client.get(Cart.self, for: "cart") == Cart(owner: "hit", items: ["tea", "scones"]))
        #expect(CountingCart.decodes(of: "hit") == 2, "a write drops the kept value")
        // Paths that change the bytes without KVClient: a raw write, compare-and-set, an increment's neighbour.
        try await store.set("cart", Array(#"{"items":["jam"],"owner":"hit"}"#.utf8))
        #expect(try await client.get(Cart.self, for: "cart") == Cart(owner: "hit", items: ["jam"]))
        let current = try #require(try await store.get("cart"))
        #expect(try await store.compareAndSet("cart", expected: current, new: Array(#"{"items":[],"owner":"hit"}"#.utf8), options: .default))
        #expect(try await client.get(Cart.self, for: "cart") == Cart(owner: "hit", items: []))
        _ = try await store.delete("cart")
        #expect(try await client.get(Cart.self, for: "cart") == nil)
    }

    @Test func anotherTypeOrCodecNeverGetsTheKeptValue() async throws {
        let store: any KVStore = KVMemoryStore()
        let json = KVClient(store: store)
        try await json.set(Cart(owner: "types", items: []), for: "k")
        #expect(try await json.get(Cart.self, for: "k") == Cart(owner: "types", items: []))
        #expect(try await json.get(Other.self, for: "k") == Other(owner: "types"))
        #expect(try await json.get(Cart.self, for: "k") == Cart(owner: "types", items: []))
        let raw = try await json.get(String.self, for: "k")
        #expect(raw == #"{"items":[],"owner":"types"}"#)
        let plist = KVClient(store: store, codec: KVPropertyListCodec())
        await #expect(throws: KVError.self) { try await plist.get(Cart.self, for: "k") }
    }

    @Test func classesAreDecodedForEveryReader() async throws {
        let client = KVClient(store: KVMemoryStore())
        try await client.set(Box(owner: "a"), for: "box")
        let first = try #require(try await client.get(Box.self, for: "box"))
        let second = try #require(try await client.get(Box.self, for: "box"))
        #expect(first !== second, "one instance is never shared between readers")
        #expect(KVDecodedTag(Box.self, codec: KVJSONCodec()) == nil)
        #expect(KVDecodedTag(Cart.self, codec: KVJSONCodec()) != nil)
        #expect(KVDecodedTag(String.self, codec: KVJSONCodec()) == nil)
        #expect(KVDecodedTag(Cart.self, codec: KVJSONCodec()) != KVDecodedTag(Cart.self, codec: KVPropertyListCodec()))
    }

    @Test func keptValuesAreTiedToTheBufferNotToEqualBytes() {
        let bytes: [UInt8] = [1, 2, 3]
        let copy = bytes
        var equal: [UInt8] = [1, 2]
        equal.append(3)
        #expect(KVDecodedValue.sameBuffer(bytes, copy))
        #expect(!KVDecodedValue.sameBuffer(bytes, equal))
        let tag = try! #require(KVDecodedTag(Other.self, codec: KVJSONCodec()))
        let kept = KVDecodedValue(tag: tag, source: bytes, value: Other(owner: "x"))
        #expect(kept.value(Other.self, tag: tag, for: copy) == Other(owner: "x"))
        #expect(kept.value(Other.self, tag: tag, for: equal) == nil)
        #expect(kept.value(Cart.self, tag: tag, for: copy) == nil)
    }
}
