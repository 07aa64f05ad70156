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
