import KVCore

/// compareAndSet, increment and getWithTTL. For a harness without ``KVConformanceHarness/atomicOperations``,
/// the compareAndSet and increment cases check instead that both are `unsupported` and write nothing.
enum AtomicCases {
    static let all: [KVConformanceCase] = (compareAndSet + increment).map(orUnsupported) + [
        KVConformanceCase("getWithTTL reads a value and its time left, or nil") { t in
            try t.expectEqual(try await t.store.getWithTTL("k"), nil, "missing key")
            try await t.store.set("k", [1, 2])
            try t.expectEqual(try await t.store.getWithTTL("k"), KVValueWithTTL(value: [1, 2], ttl: .persistent), "persistent key")
            try await t.store.set("t", [], options: .ttl(.seconds(100)))
            let read = try await t.store.getWithTTL("t")
            try t.expectEqual(read?.value, [], "empty value")
            try t.expect((read?.ttl.remaining).map { $0 > .seconds(90) && $0 <= .seconds(100) } == true, "TTL read with the value: \(String(describing: read))")
        },
        orUnsupported(KVConformanceCase("concurrent increments of one key are exact") { t in
            let store = t.store
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<16 { group.addTask { for _ in 0..<50 { try await store.increment("counter") } } }
                try await group.waitForAll()
            }
            try t.expectEqual(try await store.get("counter"), Array("800".utf8), "16 × 50 increments")
        }),
    ]

    /// The case itself when the store has atomic operations, else a check that they are refused.
    static func orUnsupported(_ testCase: KVConformanceCase) -> KVConformanceCase {
        KVConformanceCase(testCase.name) { t in
            if t.harness.atomicOperations { return try await testCase.body(t) }
            let store = t.store
            try await t.expectError(.unsupported, "compareAndSet") { () throws(KVError) in try await store.compareAndSet("k", expected: nil, new: [1]) }
            try await t.expectError(.unsupported, "increment") { () throws(KVError) in try await store.increment("k") }
            try t.expectEqual(try await store.contains("k"), false, "nothing written")
        }
    }

    static let compareAndSet: [KVConformanceCase] = [
        KVConformanceCase("compareAndSet with expected nil creates a missing key only") { t in
            try t.expectEqual(try await t.store.compareAndSet("k", expected: nil, new: [1]), true, "create")
            try t.expectEqual(try await t.store.get("k"), [1], "created")
            try t.expectEqual(try await t.store.compareAndSet("k", expected: nil, new: [2]), false, "create over existing")
            try t.expectEqual(try await t.store.get("k"), [1], "kept")
        },
        KVConformanceCase("compareAndSet replaces only the expected value") { t in
            try await t.store.set("k", [1])
            try t.expectEqual(try await t.store.compareAndSet("k", expected: [2], new: [3]), false, "wrong expected")
            try t.expectEqual(try await t.store.get("k"), [1], "kept")
            try t.expectEqual(try await t.store.compareAndSet("k", expected: [1], new: [3]), true, "right expected")
            try t.expectEqual(try await t.store.get("k"), [3], "replaced")
            try t.expectEqual(try await t.store.compareAndSet("missing", expected: [1], new: [3]), false, "expected a value, key missing")
            try t.expectEqual(try await t.store.contains("missing"), false, "not created")
        },
        KVConformanceCase("compareAndSet with new nil deletes") { t in
            try await t.store.set("k", [1])
            try t.expectEqual(try await t.store.compareAndSet("k", expected: [9], new: nil), false, "wrong expected")
            try t.expectEqual(try await t.store.compareAndSet("k", expected: [1], new: nil), true, "delete")
            try t.expectEqual(try await t.store.contains("k"), false, "deleted")
            try t.expectEqual(try await t.store.compareAndSet("k", expected: nil, new: nil), true, "absent stays absent")
        },
        KVConformanceCase("compareAndSet tells an empty value from a missing key") { t in
            try t.expectEqual(try await t.store.compareAndSet("k", expected: [], new: [1]), false, "empty expected, key missing")
            try await t.store.set("k", [])
            try t.expectEqual(try await t.store.compareAndSet("k", expected: nil, new: [1]), false, "nil expected, empty value present")
            try t.expectEqual(try await t.store.compareAndSet("k", expected: [], new: [1]), true, "empty expected, empty value")
            try t.expectEqual(try await t.store.compareAndSet("k", expected: [1], new: []), true, "to an empty value")
            try t.expectEqual(try await t.store.get("k"), [], "empty value written")
        },
        KVConformanceCase("compareAndSet compares binary and large values byte by byte") { t in
            let binary: [UInt8] = [0, 0xFF, 0x0D, 0x0A, 0x80, 0]
            try await t.store.set("k", binary)
            try t.expectEqual(try await t.store.compareAndSet("k", expected: binary.dropLast() + [1], new: [1]), false, "last byte differs")
            try t.expectEqual(try await t.store.compareAndSet("k", expected: Array(binary.dropLast()), new: [1]), false, "a prefix")
            try t.expectEqual(try await t.store.compareAndSet("k", expected: binary, new: [1]), true, "same bytes")
            let large = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try await t.store.set("big", large)
            var changed = large
            changed[changed.count / 2] ^= 1
            try t.expectEqual(try await t.store.compareAndSet("big", expected: changed, new: [1]), false, "1 MiB, one bit differs")
            try t.expectEqual(try await t.store.compareAndSet("big", expected: large, new: changed), true, "1 MiB, equal")
            try t.expectEqual(try await t.store.get("big"), changed, "1 MiB written")
        },
        KVConformanceCase("compareAndSet sets, keeps or clears the TTL as set does") { t in
            try await t.store.set("k", [1], options: .ttl(.seconds(100)))
            try t.expectEqual(try await t.store.compareAndSet("k", expected: [1], new: [2], options: KVSetOptions(keepTTL: true)), true, "keepTTL")
            try t.expect(try await t.store.ttl("k").remaining.map { $0 > .seconds(90) } == true, "TTL kept")
            try t.expectEqual(try await t.store.compareAndSet("k", expected: [2], new: [3], options: .ttl(.seconds(5))), true, "new TTL")
            try t.expect(try await t.store.ttl("k").remaining.map { $0 <= .seconds(5) && $0 > .seconds(3) } == true, "TTL set")
            try t.expectEqual(try await t.store.compareAndSet("k", expected: [3], new: [4]), true, "no TTL options")
            try t.expectEqual(try await t.store.ttl("k"), .persistent, "TTL cleared, as SET clears it")
            try await t.store.set("short", [1], options: .ttl(.milliseconds(50)))
            try await t.pass(.milliseconds(100))
            try await t.expectExpires("short")
            try t.expectEqual(try await t.store.compareAndSet("short", expected: nil, new: [2]), true, "an expired key is absent")
        },
        KVConformanceCase("compareAndSet refuses invalid arguments before sending anything") { t in
            let store = t.store
            try await t.expectError(.invalidArgument, "empty key") { () throws(KVError) in try await store.compareAndSet("", expected: nil, new: [1]) }
            try await t.expectError(.invalidArgument, "a condition") { () throws(KVError) in
                try await store.compareAndSet("k", expected: nil, new: [1], options: KVSetOptions(condition: .onlyIfAbsent))
            }
            try await t.expectError(.invalidArgument, "TTL on a delete") { () throws(KVError) in
                try await store.compareAndSet("k", expected: [1], new: nil, options: .ttl(.seconds(1)))
            }
            try await t.expectError(.invalidArgument, "zero TTL") { () throws(KVError) in
                try await store.compareAndSet("k", expected: nil, new: [1], options: .ttl(.zero))
            }
            try await t.expectError(.valueTooLarge, "over the value limit") { () throws(KVError) in
                try await store.compareAndSet("k", expected: nil, new: [UInt8](repeating: 0, count: KVLimits.maxValueBytes + 1))
            }
            try t.expectEqual(try await store.contains("k"), false, "nothing written")
        },
    ]

    static let increment: [KVConformanceCase] = [
        KVConformanceCase("increment counts from 0 and returns the new value") { t in
            try t.expectEqual(try await t.store.increment("n"), 1, "first")
            try t.expectEqual(try await t.store.increment("n", by: 41), 42, "by 41")
            try t.expectEqual(try await t.store.increment("n", by: -50), -8, "negative")
            try t.expectEqual(try await t.store.get("n"), Array("-8".utf8), "stored as decimal text")
            try await t.store.set("text", Array("100".utf8))
            try t.expectEqual(try await t.store.increment("text", by: 0), 100, "an existing decimal")
        },
        KVConformanceCase("increment sets a TTL only on the key it creates") { t in
            try t.expectEqual(try await t.store.increment("n", by: 1, ttlIfCreated: .seconds(100)), 1, "created")
            try t.expect(try await t.store.ttl("n").remaining.map { $0 > .seconds(90) } == true, "TTL of the created key")
            try t.expectEqual(try await t.store.increment("n", by: 1, ttlIfCreated: .seconds(5)), 2, "existing")
            try t.expect(try await t.store.ttl("n").remaining.map { $0 > .seconds(90) } == true, "TTL unchanged")
            try await t.store.set("p", Array("7".utf8))
            try t.expectEqual(try await t.store.increment("p", by: 1, ttlIfCreated: .seconds(5)), 8, "persistent existing")
            try t.expectEqual(try await t.store.ttl("p"), .persistent, "no TTL added to an existing key")
            try t.expectEqual(try await t.store.increment("q", by: 1, ttlIfCreated: nil), 1, "created without TTL")
            try t.expectEqual(try await t.store.ttl("q"), .persistent, "no TTL")
        },
        KVConformanceCase("increment of a value that is not a decimal integer is notAnInteger") { t in
            let store = t.store
            let values: [[UInt8]] = [Array("abc".utf8), Array("1.5".utf8), Array(" 1".utf8), Array("1 ".utf8), Array("+1".utf8), Array("01".utf8),
                                     Array("-0".utf8), [], Array("9223372036854775808".utf8), [0xFF]]
            for (index, value) in values.enumerated() {
                try await store.set("v\(index)", value)
                try await t.expectError(.notAnInteger, "value \(value)") { () throws(KVError) in try await store.increment("v\(index)") }
                try t.expectEqual(try await store.get("v\(index)"), value, "value \(value) unchanged")
            }
        },
        KVConformanceCase("increment beyond 64 bits is overflow and changes nothing") { t in
            let store = t.store
            try await store.set("max", Array(String(Int64.max).utf8))
            try await t.expectError(.overflow, "max + 1") { () throws(KVError) in try await store.increment("max") }
            try t.expectEqual(try await store.get("max"), Array(String(Int64.max).utf8), "max unchanged")
            try await store.set("min", Array(String(Int64.min).utf8))
            try await t.expectError(.overflow, "min - 1") { () throws(KVError) in try await store.increment("min", by: -1) }
            try t.expectEqual(try await store.increment("min", by: Int64.max), -1, "min + max")
            try t.expectEqual(try await store.increment("big", by: Int64.max), Int64.max, "created at max")
            try t.expectEqual(try await store.increment("big", by: -Int64.max), 0, "exact at 64 bits")
        },
    ]
}
