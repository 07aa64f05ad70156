import KVCore

enum TTLCases {
    static let all: [KVConformanceCase] = [
        KVConformanceCase("ttl of a key without expiry is persistent") { t in
            try await t.store.set("k", [1])
            try t.expectEqual(try await t.store.ttl("k"), .persistent, "ttl")
        },
        KVConformanceCase("ttl of a missing key is missingKey") { t in
            try t.expectEqual(try await t.store.ttl("missing"), .missingKey, "ttl missing")
        },
        KVConformanceCase("ttl reports the time left, at most the TTL set") { t in
            try await t.store.set("k", [1], options: .ttl(.seconds(100)))
            let left = try await t.store.ttl("k").remaining
            try t.expect(left != nil, "a key set with a TTL must report one")
            try t.expect(left! > .seconds(90) && left! <= .seconds(100), "time left \(left!) must be in (90 s, 100 s]")
        },
        KVConformanceCase("a key expires after its TTL") { t in
            try await t.store.set("short", [1], options: .ttl(.milliseconds(100)))
            try await t.store.set("long", [2], options: .ttl(.seconds(100)))
            try await t.pass(.milliseconds(150))
            try await t.expectExpires("short")
            try t.expectEqual(try await t.store.contains("short"), false, "contains after expiry")
            try t.expectEqual(try await t.store.ttl("short"), .missingKey, "ttl after expiry")
            try t.expectEqual(try await t.store.get("long"), [2], "a longer TTL is still alive")
        },
        KVConformanceCase("an expired key is not listed") { t in
            try await t.store.set("gone:1", [1], options: .ttl(.milliseconds(50)))
            try await t.store.set("kept:1", [1])
            try await t.pass(.milliseconds(100))
            try await t.expectExpires("gone:1")
            try t.expectEqual(try await t.store.list().collect(), ["kept:1"], "listed keys")
        },
        KVConformanceCase("an overwrite without TTL clears the expiry") { t in
            try await t.store.set("k", [1], options: .ttl(.seconds(100)))
            try await t.store.set("k", [2])
            try t.expectEqual(try await t.store.ttl("k"), .persistent, "ttl after plain overwrite")
        },
        KVConformanceCase("keepTTL keeps the existing expiry") { t in
            try await t.store.set("k", [1], options: .ttl(.seconds(100)))
            try await t.store.set("k", [2], options: KVSetOptions(keepTTL: true))
            let left = try await t.store.ttl("k").remaining
            try t.expect(left != nil && left! > .seconds(90), "keepTTL lost the expiry: \(String(describing: left))")
            try t.expectEqual(try await t.store.get("k"), [2], "value after keepTTL write")
        },
        KVConformanceCase("keepTTL on a key without expiry leaves it persistent") { t in
            try await t.store.set("k", [1])
            try await t.store.set("k", [2], options: KVSetOptions(keepTTL: true))
            try t.expectEqual(try await t.store.ttl("k"), .persistent, "ttl")
        },
        KVConformanceCase("a TTL of zero or less, or with keepTTL, is invalidArgument") { t in
            try await t.expectError(.invalidArgument, "zero TTL") { () throws(KVError) in try await t.store.set("k", [1], options: .ttl(.zero)) }
            try await t.expectError(.invalidArgument, "negative TTL") { () throws(KVError) in try await t.store.set("k", [1], options: .ttl(.seconds(-1))) }
            try await t.expectError(.invalidArgument, "ttl with keepTTL") { () throws(KVError) in
                try await t.store.set("k", [1], options: KVSetOptions(ttl: .seconds(1), keepTTL: true))
            }
            try await t.expectError(.invalidArgument, "batch zero TTL") { () throws(KVError) in
                try await t.store.batchSet([KVEntry("k", [1])], options: .ttl(.zero))
            }
            try t.expectEqual(try await t.store.contains("k"), false, "nothing written by invalid TTLs")
        },
        KVConformanceCase("a TTL under 1 ms rounds up to 1 ms") { t in
            try t.expectEqual(try await t.store.set("k", [1], options: .ttl(.microseconds(10))), true, "set with 10 µs TTL")
            try await t.pass(.milliseconds(20))
            try await t.expectExpires("k")
        },
        KVConformanceCase("batchSet applies the TTL to every entry") { t in
            try await t.store.batchSet([KVEntry("a", [1]), KVEntry("b", [2])], options: .ttl(.seconds(100)))
            for key in ["a", "b"] {
                let left = try await t.store.ttl(key).remaining
                try t.expect(left != nil && left! <= .seconds(100), "ttl of \(key): \(String(describing: left))")
            }
        },
    ]
}
