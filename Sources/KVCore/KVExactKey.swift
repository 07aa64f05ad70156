/// A key compared by its UTF-8 bytes.
///
/// Swift `String` equality is canonical: `"é"` (U+00E9) equals `"e\u{301}"`. Stores compare keys byte by
/// byte, as Redis does, so two such keys are two different keys. Use this type wherever keys are hashed
/// or compared, so they are never merged.
public struct KVExactKey: Hashable, Sendable {
    public let key: String

    @inlinable public init(_ key: String) { self.key = key }

    @inlinable public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.key.utf8.elementsEqual(rhs.key.utf8)
    }

    @inlinable public func hash(into hasher: inout Hasher) {
        var key = key
        key.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
