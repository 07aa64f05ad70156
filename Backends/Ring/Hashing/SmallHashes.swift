/// CRC-32 (IEEE, as zlib's `crc32`).
package enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    package static func checksum<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        table.withUnsafeBufferPointer { table in
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            return crc ^ 0xFFFF_FFFF
        }
    }
}

/// FNV-1 and FNV-1a, 32-bit.
package enum FNV32 {
    private static let offset: UInt32 = 0x811C_9DC5
    private static let prime: UInt32 = 0x0100_0193

    package static func fnv1<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var h = offset
        for byte in bytes { h = (h &* prime) ^ UInt32(byte) }
        return h
    }

    package static func fnv1a<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var h = offset
        for byte in bytes { h = (h ^ UInt32(byte)) &* prime }
        return h
    }
}

/// MurmurHash3 x86 32-bit.
package enum Murmur3 {
    package static func hash32(_ input: [UInt8], seed: UInt32 = 0) -> UInt32 {
        let c1: UInt32 = 0xCC9E_2D51, c2: UInt32 = 0x1B87_3593
        var h = seed
        let blocks = input.count / 4
        for b in 0..<blocks {
            let i = b * 4
            var k = UInt32(input[i]) | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2]) << 16 | UInt32(input[i + 3]) << 24
            k = k &* c1; k = (k << 15) | (k >> 17); k = k &* c2
            h ^= k; h = (h << 13) | (h >> 19); h = h &* 5 &+ 0xE654_6B64
        }
        var k: UInt32 = 0
        let tail = blocks * 4
        switch input.count & 3 {
        case 3: k ^= UInt32(input[tail + 2]) << 16; fallthrough
        case 2: k ^= UInt32(input[tail + 1]) << 8; fallthrough
        case 1:
            k ^= UInt32(input[tail])
            k = k &* c1; k = (k << 15) | (k >> 17); k = k &* c2; h ^= k
        default: break
        }
        h ^= UInt32(truncatingIfNeeded: input.count)
        h ^= h >> 16; h = h &* 0x85EB_CA6B
        h ^= h >> 13; h = h &* 0xC2B2_AE35
        h ^= h >> 16
        return h
    }
}

/// Jump Consistent Hash (Lamping & Veach, 2014): a bucket in `0..<buckets` for a 64-bit key.
package enum JumpHash {
    package static func bucket(_ key: UInt64, buckets: Int) -> Int {
        var key = key
        var b: Int64 = -1, j: Int64 = 0
        while j < Int64(buckets) {
            b = j
            key = key &* 2_862_933_555_777_941_757 &+ 1
            j = Int64(Double(b + 1) * (Double(Int64(1) << 31) / Double((key >> 33) + 1)))
        }
        return Int(b)
    }
}
