@testable import KVMemory
import Testing

/// The open-addressing index against a reference set, through random inserts and deletes (which shift entries back).
@Suite struct MemoryIndexTests {
    @Test func randomInsertsAndRemovesAgreeWithASet() {
        var generator = SplitMix(seed: 42)
        var index = MemoryIndex()
        var present: [Int: Int] = [:]  // slot -> hash
        // Few distinct hashes, so probe runs are long and collide, and removal must shift them correctly.
        for step in 0..<50_000 {
            let slot = Int(generator.next() % 4_000)
            let hash = Int(truncatingIfNeeded: generator.next() % 512) | (slot << 40)
            if let stored = present[slot] {
                index.remove(hash: stored, slot: slot)
                present[slot] = nil
            } else {
                index.insert(hash: hash, slot: slot)
                present[slot] = hash
            }
            if step % 997 == 0 {
                for (slot, hash) in present { #expect(index.find(hash: hash, matches: { $0 == slot }) == slot) }
                #expect(index.count == present.count)
            }
        }
        for (slot, hash) in present {
            #expect(index.find(hash: hash, matches: { $0 == slot }) == slot)
            #expect(index.find(hash: hash, matches: { $0 == slot + 1_000_000 }) == nil)
        }
    }

    @Test func keysCompareByBytesAndHashBySeed() {
        #expect(MemoryKey("é") != MemoryKey("e\u{301}"))
        #expect(MemoryKey("bench:1") == MemoryKey("bench:1"))
        let long = String(repeating: "x", count: 100)
        #expect(MemoryKey(long) == MemoryKey(long))
        // Every length class of the hash: the empty key, 1–3, 4–16, 17–48 and longer keys.
        var hashes = Set<Int>()
        for length in 0..<120 { hashes.insert(MemoryKey(String(repeating: "a", count: length)).hash) }
        #expect(hashes.count == 120)
        let bytes: [UInt8] = Array("session:42".utf8)
        let one = bytes.withUnsafeBytes { MemoryHash.hash($0, seed: 1) }
        let two = bytes.withUnsafeBytes { MemoryHash.hash($0, seed: 2) }
        #expect(one != two, "the seed changes every hash")
    }

    /// Keys of up to 16 bytes are packed into two words for hashing and comparing: a difference in any one byte,
    /// at every length, must still tell two keys apart, and the same bytes held as a small (inline) string and as
    /// a heap string must be one key.
    @Test func shortKeysDifferingInAnyByteAreDifferentKeys() {
        var random = SplitMix(seed: 7)
        for length in 0...40 {
            let bytes = (0..<length).map { _ in UInt8(ascii: "a") + UInt8(random.next() % 26) }
            let key = String(decoding: bytes, as: UTF8.self)
            var heap = String()
            heap.reserveCapacity(64)
            heap.append(key)
            #expect(MemoryKey(key) == MemoryKey(heap), "length \(length): the same bytes in two representations")
            #expect(MemoryKey(key).hash == MemoryKey(heap).hash)
            for position in 0..<length {
                var changed = bytes
                changed[position] = changed[position] == UInt8(ascii: "z") ? UInt8(ascii: "y") : changed[position] + 1
                let other = String(decoding: changed, as: UTF8.self)
                #expect(MemoryKey(key) != MemoryKey(other), "length \(length), byte \(position)")
                #expect(!MemoryKey.sameBytes(key, other), "length \(length), byte \(position)")
            }
            #expect(!MemoryKey.sameBytes(key, key + "a"), "a longer key with the same start")
        }
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
