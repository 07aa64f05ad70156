import KVCore

enum ValueCases {
    static let all: [KVConformanceCase] = [
        KVConformanceCase("an empty value is stored and is not nil") { t in
            try await t.store.set("empty", [])
            try t.expectEqual(try await t.store.get("empty"), [], "get empty value")
            try t.expectEqual(try await t.store.contains("empty"), true, "contains empty value")
        },
        KVConformanceCase("binary values with every byte, NUL and CRLF round-trip") { t in
            let value: [UInt8] = Array(0...255) + [0, 13, 10, 0, 13, 10] + Array((0...255).reversed())
            try await t.store.set("binary", value)
            try t.expectEqual(try await t.store.get("binary"), value, "get binary")
        },
        KVConformanceCase("a large value (16 MiB by default) round-trips") { t in
            let size = t.harness.largeValueBytes
            var value = [UInt8](repeating: 0, count: size)
            for i in stride(from: 0, to: size, by: 4093) { value[i] = UInt8(truncatingIfNeeded: i &* 31) }
            value[size - 1] = 0xFF
            try await t.store.set("large", value)
            let read = try await t.store.get("large")
            try t.expectEqual(read?.count, size, "size of large value")
            try t.expect(read == value, "large value bytes differ")
        },
        KVConformanceCase("a value over 512 MiB is valueTooLarge and nothing is written") { t in
            let value = [UInt8](repeating: 7, count: KVLimits.maxValueBytes + 1)
            try await t.expectError(.valueTooLarge, "set oversize") { () throws(KVError) in try await t.store.set("huge", value) }
            try await t.expectError(.valueTooLarge, "batchSet oversize") { () throws(KVError) in
                try await t.store.batchSet([KVEntry("small", [1]), KVEntry("huge", value)])
            }
            try t.expectEqual(try await t.store.contains("huge"), false, "oversize key absent")
            try t.expectEqual(try await t.store.contains("small"), false, "batch with oversize entry wrote nothing")
        },
        KVConformanceCase("UTF-8 text values keep their bytes") { t in
            let text = "héllo wörld ✓ \u{0}\r\n"
            try await t.store.set("text", t.bytes(text))
            try t.expectEqual(try await t.store.get("text").map { String(decoding: $0, as: UTF8.self) }, text, "text value")
        },
    ]
}
