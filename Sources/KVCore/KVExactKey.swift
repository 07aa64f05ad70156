/// A key compared by its UTF-8 bytes.
///
/// Swift `String` equality is canonical: `"é"` (U+00E9) equals `"e\u{301}"`. Stores compare keys byte by
/// byte, as Redis does, so two such keys are two different keys. Use this type wherever keys are hashed
/// or compared, so they are never merged.
public struct KVExactKey: Hashable, Sendable {
    public let key: String

    @inlinable public init(_ key: String) { self.key = key }

    @inlinable public static func == (lhs: Self, rhs: Self) -> Bool {
        let (left, right) = (lhs.key.utf8, rhs.key.utf8)
        guard left.count == right.count else { return false }
        // Native strings are contiguous UTF-8: compare the buffers (elementsEqual walks the views byte by byte).
        if let same = left.withContiguousStorageIfAvailable({ a in right.withContiguousStorageIfAvailable { b in Self.sameBytes(a, b) } }), let same {
            return same
        }
        return left.elementsEqual(right)
    }

    /// Whether two buffers of the same length hold the same bytes, eight at a time.
    @inlinable static func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let (left, right) = (UnsafeRawBufferPointer(a), UnsafeRawBufferPointer(b))
        var offset = 0
        while offset + 8 <= left.count {
            if left.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != right.loadUnaligned(fromByteOffset: offset, as: UInt64.self) { return false }
            offset += 8
        }
        while offset < left.count {
            if left[offset] != right[offset] { return false }
            offset += 1
        }
        return true
    }

    @inlinable public func hash(into hasher: inout Hasher) {
        var key = key
        key.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
