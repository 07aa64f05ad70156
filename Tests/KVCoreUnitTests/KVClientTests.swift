import Foundation
import KVCore
import KVMemory
import Testing

@Suite struct KVClientTests {
    struct Cart: Codable, Equatable {
        var owner: String
        var items: [String]
        var updated: Date
    }

    let cart = Cart(owner: "ada", items: ["tea", "scones"], updated: Date(timeIntervalSince1970: 1_700_000_000))

    @Test(arguments: [KVJSONCodec() as any KVCodec, KVPropertyListCodec() as any KVCodec])
    func codableRoundTrip(_ codec: any KVCodec) async throws {
        let client = KVClient(store: KVMemoryStore(), codec: codec)
        try await client.set(cart, for: "cart:1")
        #expect(try await client.get(Cart.self, for: "cart:1") == cart)
        #expect(try await client.get(Cart.self, for: "cart:2") == nil)
    }

    @Test func codecsProduceDifferentFormats() throws {
        let json = try KVJSONCodec().encode(cart)
        let plist = try KVPropertyListCodec().encode(cart)
        #expect(json.first == UInt8(ascii: "{"))
        #expect(Array(plist.prefix(6)) == Array("bplist".utf8))
    }

    @Test func rawValuesAreStoredAsTheyAre() async throws {
        let store = KVMemoryStore()
        let client = KVClient(store: store)
        try await client.set("plain text", for: "s")
        try await client.set([UInt8]([0, 1, 2]), for: "b")
        try await client.set(Data([9, 8]), for: "d")
        #expect(try store.get("s") == Array("plain text".utf8), "no JSON quotes")
        #expect(try store.get("b") == [0, 1, 2])
        #expect(try store.get("d") == [9, 8])
        #expect(try await client.get(String.self, for: "s") == "plain text")
        #expect(try await client.get(Data.self, for: "d") == Data([9, 8]))
    }

    @Test func namespaceIsAppliedAndStripped() async throws {
        let store = KVMemoryStore()
        let sessions = KVClient(store: store, namespace: "session:")
        try await sessions.set(cart, for: "1")
        try await store.set("other:1", [1])
        #expect(try await store.contains("session:1"))
        var listed: [String] = []
        for try await key in sessions.list() { listed.append(key) }
        #expect(listed == ["1"])
        #expect(sessions.namespaced("eu:").namespace == "session:eu:")
    }

    @Test func batchForms() async throws {
        let client = KVClient(store: KVMemoryStore(), namespace: "c:")
        try await client.batchSet(["a": cart, "b": cart])
        let read = try await client.batchGet(Cart.self, for: ["a", "b", "missing"])
        #expect(read == ["a": cart, "b": cart])
        #expect(try await client.batchDelete(["a", "b", "missing"]) == 2)
    }

    @Test func undecodableValueNamesKeyAndType() async throws {
        let store = KVMemoryStore()
        try await store.set("ns:bad", Array("not json".utf8))
        let client = KVClient(store: store, namespace: "ns:")
        do {
            _ = try await client.get(Cart.self, for: "bad")
            Issue.record("decoded garbage")
        } catch {
            #expect(error.code == .decodingFailed)
            #expect(error.key == "ns:bad")
            #expect(error.message.contains("Cart"))
        }
        try await store.set("ns:latin1", [0xFF, 0xFE])
        await #expect(throws: KVError.self) { try await client.get(String.self, for: "latin1") }
    }
}

@Suite struct OptionsAndErrorsTests {
    @Test func ttlRoundsUpToMilliseconds() throws {
        #expect(try KVSetOptions.ttl(.microseconds(1)).ttlMilliseconds() == 1)
        #expect(try KVSetOptions.ttl(.microseconds(1001)).ttlMilliseconds() == 2)
        #expect(try KVSetOptions.ttl(.seconds(3)).ttlMilliseconds() == 3000)
        #expect(try KVSetOptions().ttlMilliseconds() == nil)
        #expect(throws: KVError.self) { try KVSetOptions.ttl(.zero).ttlMilliseconds() }
    }

    @Test func errorDescriptionsNameKeyNodeAndCause() {
        let error = KVError(.timeout, "no reply within 1 s", key: "a\r\nb", node: "127.0.0.1:6379")
        #expect(error.description == #"timeout on 127.0.0.1:6379 for key "a\r\nb": no reply within 1 s"#)
    }

    @Test func pttlMapping() {
        #expect(KVTimeToLive(pttl: -2) == .missingKey)
        #expect(KVTimeToLive(pttl: -1) == .persistent)
        #expect(KVTimeToLive(pttl: 1500) == .expires(in: .milliseconds(1500)))
    }

    @Test func healthStatusFollowsNodes() {
        let up = KVNodeHealth(name: "a", address: "a", status: .healthy)
        let down = KVNodeHealth(name: "b", address: "b", status: .unhealthy)
        #expect(KVHealthReport(backend: "x", nodes: [up, up]).status == .healthy)
        #expect(KVHealthReport(backend: "x", nodes: [up, down]).status == .degraded)
        #expect(KVHealthReport(backend: "x", nodes: [down]).status == .unhealthy)
    }
}
