/// The memory store's key hash: wyhash (final version 4) over the key's UTF-8 bytes, with a seed drawn at random
/// once per process, so keys crafted to collide in one process do not collide in another (the defence Go's
/// runtime map uses). A few nanoseconds for short keys, where `Hasher` needs about fifty.
///
/// Keys of up to 16 bytes are read by ``pack(_:)`` rather than wyhash's overlapping reads: a short Swift string
/// is handed over as a 16-byte copy on the stack written as two 8-byte stores, and a load that straddles the
/// two cannot be forwarded from them (a stall of about 5 ns). The hash lives only in this process, so its exact
/// values need match nothing else.
enum MemoryHash {
    private static let secret: (UInt64, UInt64, UInt64, UInt64) =
        (0xa076_1d64_78bd_642f, 0xe703_7ed1_a0b4_28db, 0x8ebc_6af0_9c88_c6e3, 0x5899_65cc_7537_4cc3)
    static let seed: UInt64 = UInt64.random(in: .min ... .max)

    @inline(__always) private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    @inline(__always) private static func read8(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always) private static func read4(_ p: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }

    /// Up to 16 bytes as two words, every load inside bytes 0–7 or 8–15: for a given length, two keys pack
    /// equal exactly when their bytes are equal.
    @inline(__always)
    static func pack(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        let length = bytes.count
        if length >= 8 { return (read8(bytes, 0), tail(bytes, from: 8, count: length - 8)) }
        return (tail(bytes, from: 0, count: length), 0)
    }

    /// `count` (0–8) bytes from `offset`, as one word.
    @inline(__always)
    private static func tail(_ bytes: UnsafeRawBufferPointer, from offset: Int, count: Int) -> UInt64 {
        if count >= 4 { return read4(bytes, offset) | read4(bytes, offset + count - 4) << 32 }
        if count > 0 { return UInt64(bytes[offset]) << 16 | UInt64(bytes[offset + count >> 1]) << 8 | UInt64(bytes[offset + count - 1]) }
        return 0
    }

    static func hash(_ bytes: UnsafeRawBufferPointer, seed initial: UInt64 = seed) -> UInt64 {
        let length = bytes.count
        var seed = initial ^ mix(initial ^ secret.0, secret.1)
        var a: UInt64 = 0, b: UInt64 = 0
        if length <= 16 {
            (a, b) = pack(bytes)
        } else {
            var offset = 0
            var remaining = length
            if remaining > 48 {
                var seed1 = seed, seed2 = seed
                repeat {
                    seed = mix(read8(bytes, offset) ^ secret.1, read8(bytes, offset + 8) ^ seed)
                    seed1 = mix(read8(bytes, offset + 16) ^ secret.2, read8(bytes, offset + 24) ^ seed1)
                    seed2 = mix(read8(bytes, offset + 32) ^ secret.3, read8(bytes, offset + 40) ^ seed2)
                    offset += 48
                    remaining -= 48
                } while remaining > 48
                seed ^= seed1 ^ seed2
            }
            while remaining > 16 {
                seed = mix(read8(bytes, offset) ^ secret.1, read8(bytes, offset + 8) ^ seed)
                offset += 16
                remaining -= 16
            }
            a = read8(bytes, offset + remaining - 16)
            b = read8(bytes, offset + remaining - 8)
        }
        a ^= secret.1
        b ^= seed
        let product = a.multipliedFullWidth(by: b)
        return mix(product.low ^ secret.0 ^ UInt64(length), product.high ^ secret.1)
    }
}
