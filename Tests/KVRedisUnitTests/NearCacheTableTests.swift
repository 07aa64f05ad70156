import KVCore
import KVRedisConfiguration
import KVRedisCore
import Testing

/// The near cache's entries without a server: the race rule, the budget, the deadlines.
@Suite struct NearCacheTableTests {
    let now: RedisNearCacheTable.Nanoseconds = 1_000_000_000_000
    var later: RedisNearCacheTable.Nanoseconds { now + Self.nanoseconds(.seconds(60)) }

    static func nanoseconds(_ duration: Duration) -> RedisNearCacheTable.Nanoseconds { RedisNearCache.nanoseconds(duration) }

    @Test func aFetchIsStoredOnlyIfNothingInvalidatedItsKeyMeanwhile() {
        var table = RedisNearCacheTable(maxBytes: 1 << 20)
        let raced = table.begin("k")
        table.invalidate("k")  // another client's write reported while the reply was on its way
        let r1 = table.complete("k", ticket: raced, value: [1], serverExpiry: nil, deadline: later)
        #expect(!r1)
        let r2 = table.lookup("k", now: now)
        #expect(r2 == nil, "a reply that raced an invalidation is never served")
        let clean = table.begin("k")
        let r3 = table.complete("k", ticket: clean, value: [2], serverExpiry: nil, deadline: later)
        #expect(r3)
        let r4 = table.lookup("k", now: now)
        #expect(r4?.value == [2])
        #expect(table.pendingCount == 0)
    }

    @Test func aLaterFetchOfTheSameKeyWinsAndAFlushCancelsEveryFetch() {
        var table = RedisNearCacheTable(maxBytes: 1 << 20)
        let first = table.begin("k")
        let second = table.begin("k")
        let r5 = table.complete("k", ticket: first, value: [1], serverExpiry: nil, deadline: later)
        #expect(!r5)
        table.removeAll()
        let r6 = table.complete("k", ticket: second, value: [2], serverExpiry: nil, deadline: later)
        #expect(!r6)
        #expect(table.count == 0 && table.bytes == 0 && table.pendingCount == 0)
    }

    @Test func canonicallyEquivalentKeysAreTwoEntries() {
        var table = RedisNearCacheTable(maxBytes: 1 << 20)
        table.complete("caf\u{E9}", ticket: table.begin("caf\u{E9}"), value: [1], serverExpiry: nil, deadline: later)
        let decomposed = table.lookup("cafe\u{301}", now: now)
        #expect(decomposed == nil)
        table.invalidate("cafe\u{301}")
        let composed = table.lookup("caf\u{E9}", now: now)
        #expect(composed?.value == [1], "invalidating one spelling leaves the other")
    }

    @Test func anAbsentKeyIsCachedAsAbsent() {
        var table = RedisNearCacheTable(maxBytes: 1 << 20)
        table.complete("gone", ticket: table.begin("gone"), value: nil, serverExpiry: nil, deadline: later)
        let r7 = table.lookup("gone", now: now)
        #expect(r7 == RedisNearCacheTable.Hit(value: nil, serverExpiry: nil))
    }

    @Test func entriesEndAtTheirMaxAgeOrTheKeysExpiryWhicheverIsFirst() {
        var table = RedisNearCacheTable(maxBytes: 1 << 20)
        table.complete("a", ticket: table.begin("a"), value: [1], serverExpiry: nil, deadline: now + Self.nanoseconds(.seconds(1)))
        table.complete("b", ticket: table.begin("b"), value: [2], serverExpiry: now + Self.nanoseconds(.milliseconds(10)), deadline: now + Self.nanoseconds(.seconds(1)))
        let r8 = table.lookup("a", now: now + Self.nanoseconds(.milliseconds(500)))
        #expect(r8?.value == [1])
        let r9 = table.lookup("b", now: now + Self.nanoseconds(.milliseconds(500)))
        #expect(r9 == nil, "past the key's expiry on the server")
        let r10 = table.lookup("a", now: now + Self.nanoseconds(.seconds(2)))
        #expect(r10 == nil, "past the max age")
        #expect(table.count == 0 && table.bytes == 0)
    }

    @Test func theBudgetHoldsAndTheLeastRecentlyUsedGoFirst() {
        let budget = 64 * 1024
        var table = RedisNearCacheTable(maxBytes: budget)
        let value = [UInt8](repeating: 7, count: 1000)
        for index in 0..<10_000 {
            let key = "key:\(index)"
            table.complete(key, ticket: table.begin(key), value: value, serverExpiry: nil, deadline: later)
            #expect(table.bytes <= budget)
            if index == 5 { _ = table.lookup("key:0", now: now) }  // key:0 is used again, key:1 is now the oldest
        }
        #expect(table.count == budget / (1000 + 8 + RedisNearCacheTable.entryOverhead))
        let r11 = table.lookup("key:9999", now: now)
        #expect(r11 != nil)
        let r12 = table.lookup("key:1", now: now)
        #expect(r12 == nil)
    }

    @Test func theOrderOfUseDecidesEvictionExactly() {
        let cost = 2 + 1 + RedisNearCacheTable.entryOverhead
        var table = RedisNearCacheTable(maxBytes: cost * 8)
        for index in 0..<8 { table.complete("k\(index)", ticket: table.begin("k\(index)"), value: [0], serverExpiry: nil, deadline: later) }
        #expect(table.count == 8)
        _ = table.lookup("k0", now: now)
        table.complete("k8", ticket: table.begin("k8"), value: [0], serverExpiry: nil, deadline: later)
        let evicted = table.lookup("k1", now: now)
        #expect(evicted == nil, "k1 was the least recently used once k0 was read")
        var kept: [String] = []
        for index in [0, 2, 3, 4, 5, 6, 7, 8] where table.lookup("k\(index)", now: now) != nil { kept.append("k\(index)") }
        #expect(kept.count == 8)
        table.invalidate("k3")
        table.complete("k9", ticket: table.begin("k9"), value: [0], serverExpiry: nil, deadline: later)
        #expect(table.count == 8 && table.bytes == cost * 8, "an invalidated entry's room is reused without evicting another")
    }

    @Test func aDecodedValueGoesWithItsEntryAndIsCounted() throws {
        struct Cart: Codable, Sendable, Equatable { var items: [String] }
        let tag = try #require(KVDecodedTag(Cart.self, codec: KVJSONCodec()))
        var table = RedisNearCacheTable(maxBytes: 1 << 20)
        let bytes = Array(#"{"items":["tea"]}"#.utf8)
        table.complete("cart", ticket: table.begin("cart"), value: bytes, serverExpiry: nil, deadline: later)
        let before = table.bytes
        let first = table.lookup("cart", now: now)
        let held = try #require(first?.value)
        let kept = table.keep(KVDecodedValue(tag: tag, source: held, value: Cart(items: ["tea"])), for: "cart")
        #expect(kept)
        #expect(table.bytes == before + bytes.count + RedisNearCacheTable.decodedOverhead, "the decoded value is counted")
        let second = table.lookup("cart", now: now)
        let hit = try #require(second)
        let value = try #require(hit.value)
        #expect(hit.decoded?.value(Cart.self, tag: tag, for: value) == Cart(items: ["tea"]))
        // Bytes that are equal but not the entry's own (a newer fetch of the same value) are not kept.
        table.complete("cart", ticket: table.begin("cart"), value: Array(#"{"items":["tea"]}"#.utf8), serverExpiry: nil, deadline: later)
        let renewed = table.lookup("cart", now: now)
        #expect(renewed?.decoded == nil, "a new entry has no decoded value")
        let stale = table.keep(KVDecodedValue(tag: tag, source: held, value: Cart(items: ["tea"])), for: "cart")
        #expect(!stale)
        table.invalidate("cart")
        #expect(table.bytes == 0)
        let absent = table.keep(KVDecodedValue(tag: tag, source: held, value: Cart(items: ["tea"])), for: "cart")
        #expect(!absent, "nothing is kept for an absent entry")
    }

    @Test func aValueLargerThanAnEighthOfTheBudgetIsNotStored() {
        var table = RedisNearCacheTable(maxBytes: 80_000)
        let r17 = table.complete("big", ticket: table.begin("big"), value: [UInt8](repeating: 0, count: 10_000), serverExpiry: nil, deadline: later)
        #expect(!r17)
        #expect(table.count == 0 && table.pendingCount == 0)
    }
}

/// The invalidation connection's protocol, as the server speaks it over RESP2.
@Suite struct InvalidationProtocolTests {
    @Test func messagesAreReadAsTheyArrive() {
        let message = { (payload: RedisReply) in RedisReply.array([.string(Array("message".utf8)), .string(Array("__redis__:invalidate".utf8)), payload]) }
        #expect(RedisInvalidationListener.event(of: message(.array([.string(Array("a".utf8)), .string(Array("b".utf8))]))) == .invalidated(["a", "b"]))
        #expect(RedisInvalidationListener.event(of: message(.null)) == .flushed)
        #expect(RedisInvalidationListener.event(of: .array([.string(Array("pong".utf8)), .string([])])) == nil)
        #expect(RedisInvalidationListener.event(of: .array([.string(Array("message".utf8)), .string(Array("other".utf8)), .null])) == nil)
    }

    @Test func trackingIsRedirectedToTheListenersID() {
        #expect(RedisInvalidationListener.trackingCommand(redirect: 42, broadcast: nil) == RedisCommand("CLIENT", "TRACKING", "ON", "REDIRECT", "42"))
        #expect(
            RedisInvalidationListener.trackingCommand(redirect: 7, broadcast: ["a:", "b:"])
                == RedisCommand("CLIENT", "TRACKING", "ON", "REDIRECT", "7", "BCAST", "PREFIX", "a:", "PREFIX", "b:"))
    }

    @Test func refusalsAreToldFromPassingTroubles() {
        #expect(RedisInvalidationListener.isRefusal("NOPERM User app has no permissions to access the '__redis__:invalidate' channel"))
        #expect(RedisInvalidationListener.isRefusal("ERR unknown command 'CLIENT', with args beginning with: 'TRACKING'"))
        #expect(RedisInvalidationListener.isRefusal("SUBSCRIBE __redis__:invalidate: NOPERM this user has no permissions"))
        #expect(!RedisInvalidationListener.isRefusal("LOADING Redis is loading the dataset in memory"))
        #expect(!RedisInvalidationListener.isRefusal("connection refused"))
    }

    @Test func nearCacheOptionsAreReadAndCheckedByName() throws {
        let on = try RedisOptions.node(try KVConfiguration(
            url: "redis://127.0.0.1:6379", options: ["nearCache": "on", "nearCacheMaxBytes": "1048576", "nearCacheMaxAge": "5s", "nearCachePrefixes": "s:,c:"]))
        #expect(on.nearCache == KVRedisNearCacheConfiguration(maxBytes: 1 << 20, maxAge: .seconds(5), prefixes: ["s:", "c:"]))
        #expect(on.nearCache?.covers("s:1") == true && on.nearCache?.covers("x:1") == false)
        #expect(try RedisOptions.node(try KVConfiguration(url: "redis://127.0.0.1:6379?nearCache=off")).nearCache == nil)
        for options in [
            ["nearCacheMaxBytes": "1048576"], ["nearCache": "maybe"], ["nearCache": "on", "nearCacheMaxAge": "0s"],
            ["nearCache": "on", "nearCachePrefixes": "a:,a:b"], ["nearCache": "on", "nearCacheMaxBytes": "10"],
        ] {
            #expect(throws: KVError.self, "\(options)") { try RedisOptions.node(try KVConfiguration(url: "redis://127.0.0.1:6379", options: options)) }
        }
    }
}
