import KVCore

/// Keys that are not valid UTF-8, written past the store by another client (harnesses with ``KVRawKeyAccess``).
enum RawKeyCases {
    /// `nu:\xc3`, `nu:\xff\xfe`, `nu:\xfe\xff`: each would decode to a name with U+FFFD, and two to the same one.
    static let rawKeys: [[UInt8]] = [Array("nu:".utf8) + [0xC3], Array("nu:".utf8) + [0xFF, 0xFE], Array("nu:".utf8) + [0xFE, 0xFF]]

    static let all: [KVConformanceCase] = [
        KVConformanceCase("keys that are not UTF-8 are skipped and counted by list, never confused with another key") { t in
            guard let raw = t.harness.rawKeys else { return }
            for (index, key) in rawKeys.enumerated() { try await raw.write(t.store, key, [UInt8(index)]) }
            let lookalike = "nu:\u{FFFD}"
            try await t.store.set(lookalike, [9])
            try await t.store.set("nu:ok", [8])

            var keys = t.store.list(prefix: "nu:").makeAsyncIterator()
            var listed: [String] = []
            while let key = try await keys.next() { listed.append(key) }
            try t.expectEqual(listed.sorted(), ["nu:ok", lookalike], "keys listed, each once")
            try t.expectEqual(keys.skippedKeys, 3, "keys skipped for not being UTF-8")
            let everything = try await t.store.list().collectListing()
            try t.expectEqual(everything.keys.sorted(), ["nu:ok", lookalike], "every key")
            try t.expectEqual(everything.skippedKeys, 3, "skipped over the whole store")
            try t.expectEqual(try await KVClient(store: t.store, namespace: "nu:").list().collectListing().skippedKeys, 3, "skipped through KVClient")

            // The look-alike name reads and deletes only the key it names.
            try t.expectEqual(try await t.store.get(lookalike), [9], "the U+FFFD key's own value")
            try t.expectEqual(try await t.store.delete(lookalike), true, "delete the U+FFFD key")
            try t.expectEqual(try await t.store.batchDelete([lookalike, "nu:ok"]), 1, "batch delete")
            for (index, key) in rawKeys.enumerated() {
                try t.expectEqual(try await raw.read(t.store, key), [UInt8(index)], "raw key \(key) untouched")
            }
            let after = try await t.store.list(prefix: "nu:").collectListing()
            try t.expectEqual(after.keys, [], "nothing left to list")
            try t.expectEqual(after.skippedKeys, 3, "still skipped")
        },
    ]
}
