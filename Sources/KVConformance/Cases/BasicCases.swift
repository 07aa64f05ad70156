import KVCore

enum BasicCases {
    static let all: [KVConformanceCase] = [
        KVConformanceCase("set then get returns the value") { t in
            try t.expectEqual(try await t.store.set("k", t.bytes("v"), options: .default), true, "set result")
            try t.expectEqual(try await t.store.get("k"), t.bytes("v"), "get")
        },
        KVConformanceCase("get of a missing key is nil") { t in
            try t.expectEqual(try await t.store.get("missing"), nil, "get missing")
        },
        KVConformanceCase("set overwrites") { t in
            try await t.store.set("k", t.bytes("one"))
            try await t.store.set("k", t.bytes("two"))
            try t.expectEqual(try await t.store.get("k"), t.bytes("two"), "get after overwrite")
        },
        KVConformanceCase("delete of an existing key returns true and removes it") { t in
            try await t.store.set("k", t.bytes("v"))
            try t.expectEqual(try await t.store.delete("k"), true, "delete existing")
            try t.expectEqual(try await t.store.get("k"), nil, "get after delete")
            try t.expectEqual(try await t.store.contains("k"), false, "contains after delete")
        },
        KVConformanceCase("delete of a missing key returns false, no error") { t in
            try t.expectEqual(try await t.store.delete("missing"), false, "delete missing")
        },
        KVConformanceCase("a deleted key can be written again") { t in
            try await t.store.set("k", t.bytes("one"))
            _ = try await t.store.delete("k")
            try await t.store.set("k", t.bytes("two"))
            try t.expectEqual(try await t.store.get("k"), t.bytes("two"), "get after re-set")
        },
        KVConformanceCase("contains tells present from missing") { t in
            try await t.store.set("present", t.bytes("v"))
            try t.expectEqual(try await t.store.contains("present"), true, "contains present")
            try t.expectEqual(try await t.store.contains("absent"), false, "contains absent")
        },
        KVConformanceCase("keys differing only in a suffix stay separate") { t in
            try await t.store.set("user:1", t.bytes("a"))
            try await t.store.set("user:10", t.bytes("b"))
            try t.expectEqual(try await t.store.get("user:1"), t.bytes("a"), "user:1")
            try t.expectEqual(try await t.store.get("user:10"), t.bytes("b"), "user:10")
        },
        KVConformanceCase("locate names a node for a key") { t in
            let location = try await t.store.locate("some-key")
            try t.expectEqual(location.key, "some-key", "located key")
            try t.expect(!location.node.isEmpty, "node must not be empty")
        },
    ]
}
