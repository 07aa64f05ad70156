import KVCore

enum ListCases {
    static let all: [KVConformanceCase] = [
        KVConformanceCase("list on an empty store yields nothing") { t in
            try t.expectEqual(try await t.store.list().collect(), [], "keys")
            try t.expectEqual(try await t.store.list(prefix: "x").collect(), [], "keys with prefix")
        },
        KVConformanceCase("an empty prefix lists every key") { t in
            let keys = ["a", "b:1", "c:2:3", "zzz"]
            for key in keys { try await t.store.set(key, [1]) }
            let listed = try await t.store.list(prefix: "").collect()
            try t.expectEqual(listed.sorted(), keys, "keys")
        },
        KVConformanceCase("a prefix selects only keys that start with it") { t in
            for key in ["user:1", "user:10", "user:2", "users", "session:1", "use"] { try await t.store.set(key, [1]) }
            try t.expectEqual(try await t.store.list(prefix: "user:").collect().sorted(), ["user:1", "user:10", "user:2"], "user: keys")
            try t.expectEqual(try await t.store.list(prefix: "user:1").collect().sorted(), ["user:1", "user:10"], "user:1 keys")
            try t.expectEqual(try await t.store.list(prefix: "nothing").collect(), [], "no match")
        },
        KVConformanceCase("glob characters in a prefix match literally") { t in
            let keys = ["a*", "a*b", "ab", "axb", "a?", "a?c", "a[1]", "a1", "a\\", "a\\b", "a]", "a^", "a-"]
            for key in keys { try await t.store.set(key, [1]) }
            try t.expectEqual(try await t.store.list(prefix: "a*").collect().sorted(), ["a*", "a*b"], "prefix a*")
            try t.expectEqual(try await t.store.list(prefix: "a?").collect().sorted(), ["a?", "a?c"], "prefix a?")
            try t.expectEqual(try await t.store.list(prefix: "a[").collect().sorted(), ["a[1]"], "prefix a[")
            try t.expectEqual(try await t.store.list(prefix: "a[1]").collect().sorted(), ["a[1]"], "prefix a[1]")
            try t.expectEqual(try await t.store.list(prefix: "a\\").collect().sorted(), ["a\\", "a\\b"], "prefix a\\")
            try t.expectEqual(try await t.store.list(prefix: "a]").collect().sorted(), ["a]"], "prefix a]")
            try t.expectEqual(try await t.store.list(prefix: "a^").collect().sorted(), ["a^"], "prefix a^")
        },
        KVConformanceCase("braces and control characters in a prefix match literally") { t in
            let keys = ["{tag}:1", "{tag}:2", "{tagx}:3", "line\nbreak", "line\rx", "sp ace"]
            for key in keys { try await t.store.set(key, [1]) }
            try t.expectEqual(try await t.store.list(prefix: "{tag}").collect().sorted(), ["{tag}:1", "{tag}:2"], "prefix {tag}")
            try t.expectEqual(try await t.store.list(prefix: "line\n").collect(), ["line\nbreak"], "prefix with LF")
            try t.expectEqual(try await t.store.list(prefix: "sp ").collect(), ["sp ace"], "prefix with space")
        },
        KVConformanceCase("10,000 keys are each listed exactly once") { t in
            let entries = (0..<10_000).map { KVEntry("bulk:\($0)", [UInt8(truncatingIfNeeded: $0)]) }
            try await t.store.batchSet(entries)
            try await t.store.set("other", [1])
            var seen = Set<String>()
            var duplicates = 0
            for try await key in t.store.list(prefix: "bulk:") where !seen.insert(key).inserted { duplicates += 1 }
            try t.expectEqual(duplicates, 0, "keys listed twice")
            try t.expectEqual(seen.count, 10_000, "keys listed")
            try t.expect(seen == Set(entries.map(\.key)), "listed keys differ from written keys")
        },
        KVConformanceCase("a listing can be iterated twice") { t in
            for key in ["p:1", "p:2"] { try await t.store.set(key, [1]) }
            let listing = t.store.list(prefix: "p:")
            try t.expectEqual(try await listing.collect().sorted(), ["p:1", "p:2"], "first pass")
            try t.expectEqual(try await listing.collect().sorted(), ["p:1", "p:2"], "second pass")
        },
        KVConformanceCase("deleted keys are not listed") { t in
            for key in ["d:1", "d:2", "d:3"] { try await t.store.set(key, [1]) }
            _ = try await t.store.delete("d:2")
            try t.expectEqual(try await t.store.list(prefix: "d:").collect().sorted(), ["d:1", "d:3"], "keys")
        },
    ]
}
