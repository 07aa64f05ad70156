import KVCore

enum LifecycleCases {
    static let all: [KVConformanceCase] = [
        KVConformanceCase("health reports a status and at least one node") { t in
            let report = try await t.store.health()
            try t.expect(!report.nodes.isEmpty, "health lists no node")
            try t.expectEqual(report.status, .healthy, "status of a fresh store")
            try t.expect(report.nodes.allSatisfy { !$0.name.isEmpty }, "every node has a name")
        },
        KVConformanceCase("after shutdown every call throws shutdown") { t in
            try await t.store.set("k", [1])
            await t.store.shutdown()
            try await t.expectError(.shutdown, "set") { () throws(KVError) in try await t.store.set("k", [1]) }
            try await t.expectError(.shutdown, "get") { () throws(KVError) in try await t.store.get("k") }
            try await t.expectError(.shutdown, "delete") { () throws(KVError) in try await t.store.delete("k") }
            try await t.expectError(.shutdown, "ttl") { () throws(KVError) in try await t.store.ttl("k") }
            try await t.expectError(.shutdown, "contains") { () throws(KVError) in try await t.store.contains("k") }
            try await t.expectError(.shutdown, "list") { () throws(KVError) in try await t.store.list().collect() }
            try await t.expectError(.shutdown, "batchSet") { () throws(KVError) in try await t.store.batchSet([KVEntry("k", [1])]) }
            try await t.expectError(.shutdown, "batchGet") { () throws(KVError) in try await t.store.batchGet(["k"]) }
            try await t.expectError(.shutdown, "batchDelete") { () throws(KVError) in try await t.store.batchDelete(["k"]) }
            try await t.expectError(.shutdown, "health") { () throws(KVError) in try await t.store.health() }
        },
        KVConformanceCase("shutdown is idempotent") { t in
            await t.store.shutdown()
            await t.store.shutdown()
            try await t.expectError(.shutdown, "get after two shutdowns") { () throws(KVError) in try await t.store.get("k") }
        },
    ]
}
