#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A key with its hash computed once: the store picks a stripe from it, and the stripe's index reuses it.
///
/// Keys compare by their UTF-8 bytes, as ``KVCore/KVExactKey`` does (`"é"` and `"e\u{301}"` are two keys).
/// The hash is ``MemoryHash``, seeded per process, so crafted keys cannot collide on purpose.
struct MemoryKey: Hashable, Sendable {
    let key: String
    let hash: Int

    init(_ key: String) {
        var bytes = key
        hash = Int(truncatingIfNeeded: bytes.withUTF8 { MemoryHash.hash(UnsafeRawBufferPointer($0)) })
        self.key = bytes
    }

    static func == (lhs: MemoryKey, rhs: MemoryKey) -> Bool {
        guard lhs.hash == rhs.hash else { return false }
        var left = lhs.key, right = rhs.key
        return left.withUTF8 { left in
            right.withUTF8 { right in left.count == right.count && (left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0) }
        }
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}
