/// MD5 and SHA-1 digests, used only to place keys compatibly with redis-shard (not for security).
/// Written to allocate nothing but the result: placement hashes every key.
package enum Digest {
    private static let md5Shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// floor(|sin(i + 1)| × 2^32), as RFC 1321 lists them.
    static let md5Constants: [UInt32] = [
        0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee, 0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
        0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be, 0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
        0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa, 0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
        0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed, 0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
        0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c, 0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
        0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05, 0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
        0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039, 0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
        0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1, 0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
    ]

    /// Calls `block` for each 64-byte block of the message with MD5/SHA-1 padding; the length is written
    /// little-endian (MD5) or big-endian (SHA-1).
    private static func forEachPaddedBlock(_ message: [UInt8], bigEndianLength: Bool, _ block: (UnsafeBufferPointer<UInt8>) -> Void) {
        let bitLength = UInt64(message.count) &* 8
        let total = (message.count + 8) / 64 * 64 + 64
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: total) { buffer in
            _ = buffer.initialize(from: message)
            buffer[message.count] = 0x80
            for i in (message.count + 1)..<(total - 8) { buffer[i] = 0 }
            for i in 0..<8 {
                let shift = UInt64(bigEndianLength ? 56 - 8 * i : 8 * i)
                buffer[total - 8 + i] = UInt8(truncatingIfNeeded: bitLength >> shift)
            }
            for start in stride(from: 0, to: total, by: 64) {
                block(UnsafeBufferPointer(rebasing: buffer[start..<start + 64]))
            }
        }
    }

    package static func md5(_ message: [UInt8]) -> [UInt8] {
        var a0: UInt32 = 0x6745_2301, b0: UInt32 = 0xEFCD_AB89, c0: UInt32 = 0x98BA_DCFE, d0: UInt32 = 0x1032_5476
        md5Shifts.withUnsafeBufferPointer { s in
            md5Constants.withUnsafeBufferPointer { k in
                forEachPaddedBlock(message, bigEndianLength: false) { block in
                    @inline(__always) func word(_ g: Int) -> UInt32 {
                        UInt32(block[4 * g]) | UInt32(block[4 * g + 1]) << 8 | UInt32(block[4 * g + 2]) << 16 | UInt32(block[4 * g + 3]) << 24
                    }
                    var a = a0, b = b0, c = c0, d = d0
                    for i in 0..<64 {
                        var f: UInt32
                        let g: Int
                        switch i {
                        case 0..<16: f = (b & c) | (~b & d); g = i
                        case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) & 15
                        case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) & 15
                        default: f = c ^ (b | ~d); g = (7 * i) & 15
                        }
                        f = f &+ a &+ k[i] &+ word(g)
                        a = d; d = c; c = b
                        b = b &+ ((f << s[i]) | (f >> (32 - s[i])))
                    }
                    a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
                }
            }
        }
        var digest = [UInt8](repeating: 0, count: 16)
        for byte in 0..<4 {
            let shift = 8 * UInt32(byte)
            digest[byte] = UInt8(truncatingIfNeeded: a0 >> shift)
            digest[4 + byte] = UInt8(truncatingIfNeeded: b0 >> shift)
            digest[8 + byte] = UInt8(truncatingIfNeeded: c0 >> shift)
            digest[12 + byte] = UInt8(truncatingIfNeeded: d0 >> shift)
        }
        return digest
    }

    package static func sha1(_ message: [UInt8]) -> [UInt8] {
        var h0: UInt32 = 0x6745_2301, h1: UInt32 = 0xEFCD_AB89, h2: UInt32 = 0x98BA_DCFE, h3: UInt32 = 0x1032_5476, h4: UInt32 = 0xC3D2_E1F0
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            forEachPaddedBlock(message, bigEndianLength: true) { block in
                for i in 0..<16 {
                    w[i] = UInt32(block[4 * i]) << 24 | UInt32(block[4 * i + 1]) << 16 | UInt32(block[4 * i + 2]) << 8 | UInt32(block[4 * i + 3])
                }
                for i in 16..<80 {
                    let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
                    w[i] = (x << 1) | (x >> 31)
                }
                var a = h0, b = h1, c = h2, d = h3, e = h4
                for i in 0..<80 {
                    let f: UInt32, k: UInt32
                    switch i {
                    case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999
                    case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1
                    case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
                    default: f = b ^ c ^ d; k = 0xCA62_C1D6
                    }
                    let temp = ((a << 5) | (a >> 27)) &+ f &+ e &+ k &+ w[i]
                    e = d; d = c; c = (b << 30) | (b >> 2); b = a; a = temp
                }
                h0 = h0 &+ a; h1 = h1 &+ b; h2 = h2 &+ c; h3 = h3 &+ d; h4 = h4 &+ e
            }
        }
        var digest = [UInt8](repeating: 0, count: 20)
        for byte in 0..<4 {
            let shift = 24 - 8 * UInt32(byte)
            digest[byte] = UInt8(truncatingIfNeeded: h0 >> shift)
            digest[4 + byte] = UInt8(truncatingIfNeeded: h1 >> shift)
            digest[8 + byte] = UInt8(truncatingIfNeeded: h2 >> shift)
            digest[12 + byte] = UInt8(truncatingIfNeeded: h3 >> shift)
            digest[16 + byte] = UInt8(truncatingIfNeeded: h4 >> shift)
        }
        return digest
    }
}
