import KVCore

enum ConditionalCases {
    static let all: [KVConformanceCase] = [
        KVConformanceCase("onlyIfAbsent creates a missing key") { t in
            try t.expectEqual(try await t.store.set("k", [1], options: KVSetOptions(condition: .onlyIfAbsent)), true, "create")
            try t.expectEqual(try await t.store.get("k"), [1], "value")
        },
        KVConformanceCase("onlyIfAbsent leaves an existing key alone") { t in
            try await t.store.set("k", [1])
            try t.expectEqual(try await t.store.set("k", [2], options: KVSetOptions(condition: .onlyIfAbsent)), false, "create over existing")
            try t.expectEqual(try await t.store.get("k"), [1], "value kept")
        },
        KVConformanceCase("onlyIfPresent does not create a missing key") { t in
            try t.expectEqual(try await t.store.set("k", [1], options: KVSetOptions(condition: .onlyIfPresent)), false, "replace missing")
            try t.expectEqual(try await t.store.contains("k"), false, "key still missing")
        },
        KVConformanceCase("onlyIfPresent replaces an existing key") { t in
            try await t.store.set("k", [1])
            try t.expectEqual(try await t.store.set("k", [2], options: KVSetOptions(condition: .onlyIfPresent)), true, "replace")
            try t.expectEqual(try await t.store.get("k"), [2], "value replaced")
        },
        KVConformanceCase("an expired key counts as absent for conditions") { t in
            try await t.store.set("k", [1], options: .ttl(.milliseconds(50)))
            try await t.pass(.milliseconds(100))
            try await t.expectExpires("k")
            try t.expectEqual(try await t.store.set("k", [2], options: KVSetOptions(condition: .onlyIfPresent)), false, "replace expired")
            try t.expectEqual(try await t.store.set("k", [3], options: KVSetOptions(condition: .onlyIfAbsent)), true, "create over expired")
            try t.expectEqual(try await t.store.get("k"), [3], "value")
        },
        KVConformanceCase("a conditional write with TTL sets the TTL") { t in
            try await t.store.set("k", [1], options: KVSetOptions(ttl: .seconds(100), condition: .onlyIfAbsent))
            try t.expect(try await t.store.ttl("k").remaining != nil, "TTL set by conditional write")
        },
    ]
}
