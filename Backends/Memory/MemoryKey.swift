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
        self.key = key
        hash = Self.hash(of: key)
    }

    /// A key whose hash the caller computed with ``hash(of:)``.
    init(_ key: String, hash: Int) {
        self.key = key
        self.hash = hash
    }

    /// The key's hash, read in place (a lookup need not copy the caller's string into a `MemoryKey`).
    @inline(__always)
    static func hash(of key: String) -> Int {
        if let hash = key.utf8.withContiguousStorageIfAvailable({ MemoryHash.hash(UnsafeRawBufferPointer($0)) }) {
            return Int(truncatingIfNeeded: hash)
        }
        var copy = key
        return Int(truncatingIfNeeded: copy.withUTF8 { MemoryHash.hash(UnsafeRawBufferPointer($0)) })
    }

    /// Equal hashes, then equal bytes.
    @inline(__always)
    static func == (lhs: MemoryKey, rhs: MemoryKey) -> Bool {
        lhs.hash == rhs.hash && sameBytes(lhs.key, rhs.key)
    }

    /// Whether two strings have the same UTF-8 bytes: compared in place (no copy of either), short keys
    /// without a call.
    @inline(__always)
    static func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.withContiguousStorageIfAvailable { left in
            rhs.utf8.withContiguousStorageIfAvailable { right in
                sameBytes(UnsafeRawBufferPointer(left), UnsafeRawBufferPointer(right))
            }
        }.flatMap { $0 } ?? lhs.utf8.elementsEqual(rhs.utf8)
    }

    @inline(__always)
    static func sameBytes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        let count = left.count
        guard count == right.count else { return false }
        if count <= 16 { return MemoryHash.pack(left) == MemoryHash.pack(right) }
        return memcmp(left.baseAddress!, right.baseAddress!, count) == 0
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}
