import KVCore

enum BatchCases {
    static let all: [KVConformanceCase] = [
        KVConformanceCase("batchSet then batchGet returns every value") { t in
            let entries = (0..<1000).map { KVEntry("b:\($0)", Array("value-\($0)".utf8)) }
            try await t.store.batchSet(entries)
            let read = try await t.store.batchGet(entries.map(\.key))
            try t.expectEqual(read.count, 1000, "values read")
            for entry in entries where read[entry.key] != entry.value {
                try t.expect(false, "wrong value for \(entry.key): \(String(describing: read[entry.key]))")
            }
        },
        KVConformanceCase("batchSet with duplicate keys: the last write wins") { t in
            try await t.store.batchSet([KVEntry("d", [1]), KVEntry("e", [9]), KVEntry("d", [2]), KVEntry("d", [3])])
            try t.expectEqual(try await t.store.get("d"), [3], "duplicate key value")
            try t.expectEqual(try await t.store.get("e"), [9], "other key value")
        },
        KVConformanceCase("batchGet leaves missing keys out and accepts duplicates") { t in
            try await t.store.set("x", [1])
            try await t.store.set("y", [2])
            let read = try await t.store.batchGet(["x", "missing", "y", "x", "also-missing"])
            try t.expectEqual(read, ["x": [1], "y": [2]], "batchGet result")
        },
        KVConformanceCase("batchDelete counts existing keys once") { t in
            try await t.store.batchSet([KVEntry("a", [1]), KVEntry("b", [1]), KVEntry("c", [1])])
            try t.expectEqual(try await t.store.batchDelete(["a", "b", "a", "missing"]), 2, "deleted count")
            try t.expectEqual(try await t.store.list().collect(), ["c"], "keys left")
        },
        KVConformanceCase("empty batches are no-ops") { t in
            try await t.store.batchSet([])
            try t.expectEqual(try await t.store.batchGet([]), [:], "batchGet of nothing")
            try t.expectEqual(try await t.store.batchDelete([]), 0, "batchDelete of nothing")
        },
        KVConformanceCase("a batch with an empty key is invalidArgument and writes nothing") { t in
            try await t.expectError(.invalidArgument, "batchSet") { () throws(KVError) in
                try await t.store.batchSet([KVEntry("ok", [1]), KVEntry("", [2])])
            }
            try t.expectEqual(try await t.store.contains("ok"), false, "nothing written")
            try await t.expectError(.invalidArgument, "batchGet") { () throws(KVError) in try await t.store.batchGet(["ok", ""]) }
            try await t.expectError(.invalidArgument, "batchDelete") { () throws(KVError) in try await t.store.batchDelete([""]) }
        },
        KVConformanceCase("batches carry special keys and binary values") { t in
            let entries = KeyCases.specialKeys.enumerated().map { KVEntry($0.element, [0, 13, 10, UInt8($0.offset)]) }
            try await t.store.batchSet(entries)
            let read = try await t.store.batchGet(entries.map(\.key))
            try t.expectEqual(read.count, entries.count, "values read")
            for entry in entries { try t.expectEqual(read[entry.key], entry.value, "value of \(KVError.render(entry.key))") }
            try t.expectEqual(try await t.store.batchDelete(entries.map(\.key)), entries.count, "deleted")
        },
        KVConformanceCase("batchSet with onlyIfAbsent keeps existing values") { t in
            try await t.store.set("old", [1])
            try await t.store.batchSet([KVEntry("old", [2]), KVEntry("new", [3])], options: KVSetOptions(condition: .onlyIfAbsent))
            try t.expectEqual(try await t.store.get("old"), [1], "existing value")
            try t.expectEqual(try await t.store.get("new"), [3], "new value")
        },
    ]
}
