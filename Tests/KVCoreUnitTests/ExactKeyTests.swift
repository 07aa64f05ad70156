import KVCore
import Testing

/// Keys compare by their UTF-8 bytes, whatever their length and wherever they differ.
@Suite struct ExactKeyTests {
    @Test(arguments: [
        ("session:1", "session:1", true), ("session:1", "session:2", false), ("a", "ab", false), ("", "", true),
        ("caf\u{E9}", "cafe\u{301}", false), (String(repeating: "x", count: 40) + "1", String(repeating: "x", count: 40) + "2", false),
        (String(repeating: "k", count: 17), String(repeating: "k", count: 17), true), ("12345678z", "12345678y", false),
    ])
    func equalityIsByteEquality(_ left: String, _ right: String, _ equal: Bool) {
        #expect((KVExactKey(left) == KVExactKey(right)) == equal)
        #expect((KVExactKey(left).hashValue == KVExactKey(right).hashValue) || !equal)
        #expect(Array(left.utf8) == Array(right.utf8) ? equal : !equal)
    }
}
