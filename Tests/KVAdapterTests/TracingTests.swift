#if DistributedTracingSupport && Redis
import Foundation
import InMemoryTracing
import KV
import KVTestSupport
import Testing
import Tracing

/// A client span per request to Redis, attributed per OpenTelemetry's database conventions, under the
/// caller's span, to the tracer active when the store was opened; none without one.
@Suite(.serialized) struct TracingTests {
    @Test func eachCallIsOneClientSpanWithDatabaseAttributes() async throws {
        let tracer = InMemoryTracer()
        let address = try #require(try KVStoreURL(TestServers.redisURL).hosts.first)
        let host = String(address[..<(address.lastIndex(of: ":") ?? address.endIndex)])
        let port = address.lastIndex(of: ":").flatMap { Int(address[address.index(after: $0)...]) } ?? 6379
        try await withTracer(tracer) {
            try await withStore(TestServers.redisURL) { store, prefix in
                try await withSpan("handler") { _ in
                    _ = try await store.set(prefix + "a", [1], options: .default)
                    _ = try await store.get(prefix + "a")
                    try await store.batchSet((0..<5).map { KVEntry(prefix + "b\($0)", [2]) }, options: .default)
                    _ = try await store.getWithTTL(prefix + "a")
                }
            }
        }
        let spans = tracer.finishedSpans
        let parent = try #require(spans.first { $0.operationName == "handler" })
        let redis = spans.filter { $0.operationName != "handler" }
        #expect(redis.map(\.operationName) == ["SET", "GET", "BATCH SET", "BATCH"], "\(redis.map(\.operationName))")
        for span in redis {
            #expect(span.kind == .client)
            #expect(span.parentSpanID == parent.spanID, "\(span.operationName) is a child of the caller's span")
            #expect(span.attributes["db.system.name"]?.toSpanAttribute() == "redis")
            #expect(span.attributes["db.operation.name"]?.toSpanAttribute() == .string(span.operationName))
            #expect(span.attributes["server.address"]?.toSpanAttribute() == .string(host))
            #expect(span.attributes["server.port"]?.toSpanAttribute() == .int64(Int64(port)))
            #expect(span.attributes["db.namespace"] != nil)
            #expect(span.status == nil, "no error")
        }
        let batch = try #require(redis.first { $0.operationName == "BATCH SET" })
        #expect(batch.attributes["db.operation.batch.size"]?.toSpanAttribute() == 5)
        for span in redis {
            let text = "\(span.attributes)"
            #expect(!text.contains("adapter-test:"), "no key in a span: \(text)")
        }
    }

    /// With a near cache, a read's span says whether memory served it: a miss is a `GET` span with
    /// `kv.near_cache.hit` false over the fetch's own request span; a hit is a `GET` span with it true and no request.
    @Test func nearCacheReadsSayWhetherTheyHit() async throws {
        let tracer = InMemoryTracer()
        try await withTracer(tracer) {
            try await withStore(TestServers.redisURL + "?nearCache=on") { store, prefix in
                _ = try await store.set(prefix + "n", [1], options: .default)
                let armed = await eventually { (try? await store.health())?.nodes.first?.details["nearCache"] == "armed" }
                #expect(armed)
                try await withSpan("handler") { _ in
                    _ = try await store.get(prefix + "n")
                    _ = try await store.get(prefix + "n")
                }
            }
        }
        let spans = tracer.finishedSpans
        let parent = try #require(spans.first { $0.operationName == "handler" })
        let reads = spans.filter { $0.parentSpanID == parent.spanID }
        #expect(reads.map(\.operationName) == ["GET", "GET"], "\(reads.map(\.operationName))")
        #expect(reads.map { $0.attributes["kv.near_cache.hit"]?.toSpanAttribute() } == [false, true])
        let fetch = spans.filter { $0.parentSpanID == reads.first?.spanID }
        #expect(fetch.map(\.operationName) == ["BATCH"], "the miss's fetch (GET and PTTL) is its child")
        #expect(!spans.contains { $0.parentSpanID == reads.last?.spanID }, "a hit sends nothing")
        #expect(reads.allSatisfy { $0.attributes["db.system.name"]?.toSpanAttribute() == "redis" && $0.kind == .client })
    }

    @Test func aFailedCallRecordsItsErrorType() async throws {
        let tracer = InMemoryTracer()
        // A server that drops every connection after the command: the outcome is unknown.
        let node = try FakeRedisNode { _ in .close }
        defer { node.close() }
        try await withTracer(tracer) {
            let store = try await KVStores.open("redis://127.0.0.1:\(node.port)?commandTimeout=1s")
            _ = try? await store.delete("k")
            await store.shutdown()
        }
        let span = try #require(tracer.finishedSpans.first { $0.operationName == "UNLINK" })
        #expect(span.status?.code == .error)
        #expect(span.attributes["error.type"] != nil)
        #expect(!span.errors.isEmpty)
    }

    /// The tracer is taken when the store opens (no lookup per request): a store opened with no tracer active
    /// makes no spans, even for calls made later inside a tracer's scope.
    @Test func aStoreOpenedWithoutATracerMakesNoSpans() async throws {
        let tracer = InMemoryTracer()
        try await withStore(TestServers.redisURL) { store, prefix in
            try await withTracer(tracer) {
                _ = try await store.get(prefix + "x")
            }
        }
        #expect(tracer.finishedSpans.isEmpty)
    }
}
#endif
