import KVCore
import Testing

/// The batch helpers every backend shares: duplicates removed, and a batch without any returned as it is.
@Suite struct BatchHelperTests {
    @Test func distinctKeepsFirstSeenOrder() {
        #expect(KVBatch.distinct(["a", "b", "c"]) == ["a", "b", "c"])
        #expect(KVBatch.distinct(["a", "b", "a", "c", "b", "d"]) == ["a", "b", "c", "d"])
        #expect(KVBatch.distinct(["x", "x", "x"]) == ["x"])
        #expect(KVBatch.distinct([]) == [])
        // Byte-identical only: these two spellings of "é" are different keys.
        #expect(KVBatch.distinct(["\u{E9}", "e\u{301}"]).count == 2)
    }

    @Test func lastWinsKeepsTheLastValueOfEachKey() {
        let unique = [KVEntry("a", [1]), KVEntry("b", [2])]
        #expect(KVBatch.lastWins(unique).map(\.key) == ["a", "b"])
        let repeated = [KVEntry("a", [1]), KVEntry("b", [2]), KVEntry("a", [3]), KVEntry("c", [4]), KVEntry("b", [5])]
        let kept = KVBatch.lastWins(repeated)
        #expect(kept.map(\.key) == ["a", "c", "b"])
        #expect(kept.map(\.value) == [[3], [4], [5]])
        #expect(KVBatch.lastWins([KVEntry("e\u{301}", [1]), KVEntry("\u{E9}", [2])]).count == 2)
    }
}
