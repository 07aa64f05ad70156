/// MD5 and SHA-1 of messages that fit one 64-byte block (up to 55 bytes: almost every shard tag), computed on
/// the stack without allocating, straight into the digest's leading 192 bits as the placement compares them.
/// The same digests as ``Digest`` (a test compares both on random messages); placement calls this per key.
enum ShortDigest {
    /// The longest message that fits one block with its padding.
    static let maxLength = 55

    /// Big-endian words of the digest: (bits 0–63, 64–127, 128–191), zero past the digest's end.
    typealias Words = (high: UInt64, middle: UInt64, low: UInt64)

    /// Pads `message` into one block of sixteen words: little-endian (MD5) or big-endian (SHA-1).
    @inline(__always)
    private static func withBlock<T>(_ message: UnsafeRawBufferPointer, bigEndian: Bool, _ body: (UnsafeMutablePointer<UInt32>) -> T) -> T {
        precondition(message.count <= maxLength)
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { words in
            let bytes = UnsafeMutableRawBufferPointer(words)
            bytes.initializeMemory(as: UInt8.self, repeating: 0)
            bytes.copyMemory(from: message)
            bytes[message.count] = 0x80
            let bits = UInt64(message.count) &* 8
            if bigEndian {
                for i in 0..<14 { words[i] = UInt32(bigEndian: words[i]) }
                words[14] = UInt32(truncatingIfNeeded: bits >> 32)
                words[15] = UInt32(truncatingIfNeeded: bits)
            } else {
                for i in 0..<14 { words[i] = UInt32(littleEndian: words[i]) }
                words[14] = UInt32(truncatingIfNeeded: bits)
                words[15] = UInt32(truncatingIfNeeded: bits >> 32)
            }
            return body(words.baseAddress!)
        }
    }

    @inline(__always) private static func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }

    static func md5(_ message: UnsafeRawBufferPointer) -> Words {
        withBlock(message, bigEndian: false) { m in
            Digest.md5Constants.withUnsafeBufferPointer { k in
                var a: UInt32 = 0x6745_2301, b: UInt32 = 0xEFCD_AB89, c: UInt32 = 0x98BA_DCFE, d: UInt32 = 0x1032_5476
                @inline(__always) func step(_ f: UInt32, _ i: Int, _ g: Int, _ s: UInt32) {
                    let sum = f &+ a &+ k[i] &+ m[g]
                    a = d; d = c; c = b
                    b = b &+ rotate(sum, s)
                }
                for i in stride(from: 0, to: 16, by: 4) {
                    step((b & c) | (~b & d), i, i, 7); step((b & c) | (~b & d), i + 1, i + 1, 12)
                    step((b & c) | (~b & d), i + 2, i + 2, 17); step((b & c) | (~b & d), i + 3, i + 3, 22)
                }
                for i in stride(from: 16, to: 32, by: 4) {
                    step((d & b) | (~d & c), i, (5 &* i &+ 1) & 15, 5); step((d & b) | (~d & c), i + 1, (5 &* i &+ 6) & 15, 9)
                    step((d & b) | (~d & c), i + 2, (5 &* i &+ 11) & 15, 14); step((d & b) | (~d & c), i + 3, (5 &* i &+ 16) & 15, 20)
                }
                for i in stride(from: 32, to: 48, by: 4) {
                    step(b ^ c ^ d, i, (3 &* i &+ 5) & 15, 4); step(b ^ c ^ d, i + 1, (3 &* i &+ 8) & 15, 11)
                    step(b ^ c ^ d, i + 2, (3 &* i &+ 11) & 15, 16); step(b ^ c ^ d, i + 3, (3 &* i &+ 14) & 15, 23)
                }
                for i in stride(from: 48, to: 64, by: 4) {
                    step(c ^ (b | ~d), i, (7 &* i) & 15, 6); step(c ^ (b | ~d), i + 1, (7 &* i &+ 7) & 15, 10)
                    step(c ^ (b | ~d), i + 2, (7 &* i &+ 14) & 15, 15); step(c ^ (b | ~d), i + 3, (7 &* i &+ 21) & 15, 21)
                }
                a = a &+ 0x6745_2301; b = b &+ 0xEFCD_AB89; c = c &+ 0x98BA_DCFE; d = d &+ 0x1032_5476
                // The digest is a, b, c, d in little-endian bytes; read big-endian, each word is byte-swapped.
                return (UInt64(a.byteSwapped) << 32 | UInt64(b.byteSwapped), UInt64(c.byteSwapped) << 32 | UInt64(d.byteSwapped), 0)
            }
        }
    }

    static func sha1(_ message: UnsafeRawBufferPointer) -> Words {
        withBlock(message, bigEndian: true) { w in
            // The message schedule kept in the block's sixteen words, each replaced as the rounds reach it.
            var a: UInt32 = 0x6745_2301, b: UInt32 = 0xEFCD_AB89, c: UInt32 = 0x98BA_DCFE, d: UInt32 = 0x1032_5476, e: UInt32 = 0xC3D2_E1F0
            @inline(__always) func word(_ i: Int) -> UInt32 {
                let next = rotate(w[(i - 3) & 15] ^ w[(i - 8) & 15] ^ w[(i - 14) & 15] ^ w[i & 15], 1)
                w[i & 15] = next
                return next
            }
            @inline(__always) func step(_ f: UInt32, _ k: UInt32, _ word: UInt32) {
                let temp = rotate(a, 5) &+ f &+ e &+ k &+ word
                e = d; d = c; c = rotate(b, 30); b = a; a = temp
            }
            // The first sixteen rounds read the block as it is; the rest extend the schedule in place.
            for i in 0..<16 { step((b & c) | (~b & d), 0x5A82_7999, w[i]) }
            for i in 16..<20 { step((b & c) | (~b & d), 0x5A82_7999, word(i)) }
            for i in 20..<40 { step(b ^ c ^ d, 0x6ED9_EBA1, word(i)) }
            for i in 40..<60 { step((b & c) | (b & d) | (c & d), 0x8F1B_BCDC, word(i)) }
            for i in 60..<80 { step(b ^ c ^ d, 0xCA62_C1D6, word(i)) }
            a = a &+ 0x6745_2301; b = b &+ 0xEFCD_AB89; c = c &+ 0x98BA_DCFE; d = d &+ 0x1032_5476; e = e &+ 0xC3D2_E1F0
            return (UInt64(a) << 32 | UInt64(b), UInt64(c) << 32 | UInt64(d), UInt64(e) << 32)
        }
    }
}
