import KVCore

enum ConcurrencyCases {
    static let all: [KVConformanceCase] = [
        KVConformanceCase("concurrent writers to different keys each read their own values") { t in
            let store = t.store
            try await withThrowingTaskGroup(of: [String].self) { group in
                for task in 0..<32 {
                    group.addTask {
                        var wrong: [String] = []
                        for i in 0..<50 {
                            let key = "t\(task):\(i)"
                            let value = Array("\(task)/\(i)".utf8)
                            try await store.set(key, value)
                            if try await store.get(key) != value { wrong.append(key) }
                        }
                        return wrong
                    }
                }
                for try await wrong in group { try t.expectEqual(wrong, [], "keys read back wrong") }
            }
            try t.expectEqual(try await store.list().collect().count, 32 * 50, "keys written")
        },
        KVConformanceCase("concurrent writers to one key leave one whole value") { t in
            let store = t.store
            let values = (0..<16).map { [UInt8](repeating: UInt8($0), count: 1024) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for value in values { group.addTask { for _ in 0..<20 { try await store.set("shared", value) } } }
                try await group.waitForAll()
            }
            let final = try await store.get("shared")
            try t.expect(final.map { values.contains($0) } ?? false, "final value is not one of the written values")
        },
        KVConformanceCase("concurrent onlyIfAbsent writes: exactly one wins") { t in
            let store = t.store
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<16 { group.addTask { try await store.set("lock", [UInt8(i)], options: KVSetOptions(condition: .onlyIfAbsent)) } }
                var wins = 0
                for try await won in group where won { wins += 1 }
                return wins
            }
            try t.expectEqual(wins, 1, "winners")
        },
    ]
}
