import KVCore

enum KeyCases {
    /// Keys with every character that globs, hash tags, escapes or protocols treat specially.
    static let specialKeys: [String] = [
        "star*", "question?", "open[", "close]", "[ab]", "brace{", "brace}", "{tag}key", "back\\slash",
        "cr\rkey", "lf\nkey", "crlf\r\nkey", "with space", " leading", "trailing ", "nul\u{0}key", "tab\tkey",
        "*", "?", "\\", "{}", "%s%d",
    ]

    static let all: [KVConformanceCase] = [
        KVConformanceCase("an empty key is invalidArgument on every call") { t in
            let store = t.store
            try await t.expectError(.invalidArgument, "set") { () throws(KVError) in try await store.set("", [1]) }
            try await t.expectError(.invalidArgument, "get") { () throws(KVError) in try await store.get("") }
            try await t.expectError(.invalidArgument, "delete") { () throws(KVError) in try await store.delete("") }
            try await t.expectError(.invalidArgument, "ttl") { () throws(KVError) in try await store.ttl("") }
            try await t.expectError(.invalidArgument, "contains") { () throws(KVError) in try await store.contains("") }
        },
        KVConformanceCase("unicode keys round-trip") { t in
            let keys = ["ключ", "キー", "🔑🗝️", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ü"]
            for (i, key) in keys.enumerated() { try await t.store.set(key, [UInt8(i)]) }
            for (i, key) in keys.enumerated() {
                try t.expectEqual(try await t.store.get(key), [UInt8(i)], "get \(key)")
            }
            try t.expectEqual(Set(try await t.store.list().collect()), Set(keys), "listed unicode keys")
        },
        KVConformanceCase("canonically equivalent keys (NFC vs NFD) are different keys") { t in
            let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
            try await t.store.set(composed, [1])
            try await t.store.set(decomposed, [2])
            try t.expectEqual(try await t.store.get(composed), [1], "NFC key")
            try t.expectEqual(try await t.store.get(decomposed), [2], "NFD key")
            let listed = try await t.store.list(prefix: "caf").collect().map { Array($0.utf8) }
            try t.expectEqual(Set(listed), [Array(composed.utf8), Array(decomposed.utf8)], "both keys listed by bytes")
            let byBytePrefix = try await t.store.list(prefix: "cafe").collect().map { Array($0.utf8) }
            try t.expectEqual(byBytePrefix, [Array(decomposed.utf8)], "prefixes match bytes: \"cafe\" starts \"cafe\\u{301}\" only")
            try await t.store.batchSet([KVEntry(composed, [3]), KVEntry(decomposed, [4])])
            try t.expectEqual(try await t.store.get(composed), [3], "NFC key after batch")
            try t.expectEqual(try await t.store.get(decomposed), [4], "NFD key after batch")
            try t.expectEqual(try await t.store.delete(composed), true, "delete NFC")
            try t.expectEqual(try await t.store.get(decomposed), [4], "NFD key survives deleting NFC")
        },
        KVConformanceCase("keys with glob, brace, backslash, CR, LF, NUL and space round-trip") { t in
            for (i, key) in specialKeys.enumerated() { try await t.store.set(key, t.bytes("value-\(i)")) }
            for (i, key) in specialKeys.enumerated() {
                try t.expectEqual(try await t.store.get(key), t.bytes("value-\(i)"), "get \(KVError.render(key))")
            }
            try t.expectEqual(try await t.store.get("star"), nil, "a glob key must not match others")
        },
        KVConformanceCase("keys with special characters are listed exactly") { t in
            for key in specialKeys { try await t.store.set(key, [1]) }
            let listed = try await t.store.list().collect()
            try t.expectEqual(listed.count, specialKeys.count, "number of keys listed")
            try t.expectEqual(Set(listed), Set(specialKeys), "keys listed")
        },
        KVConformanceCase("special-character keys delete exactly") { t in
            for key in specialKeys { try await t.store.set(key, [1]) }
            try t.expectEqual(try await t.store.delete("*"), true, "delete \"*\"")
            try t.expectEqual(try await t.store.get("star*"), [1], "other keys untouched by deleting \"*\"")
            try t.expectEqual(try await t.store.list().collect().count, specialKeys.count - 1, "keys left")
        },
        KVConformanceCase("a 64 KiB key round-trips") { t in
            let key = String(repeating: "k", count: 64 * 1024 - 1) + "!"
            try await t.store.set(key, t.bytes("big key"))
            try t.expectEqual(try await t.store.get(key), t.bytes("big key"), "get 64 KiB key")
            try t.expectEqual(try await t.store.list(prefix: "kkkk").collect(), [key], "list 64 KiB key")
        },
    ]
}
