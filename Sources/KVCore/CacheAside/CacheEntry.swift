import Foundation

/// The stored form of a cached value. A value cached with neither a stale window, tags nor negative caching is
/// stored as it is, readable by a plain `get` (its expiry is the key's TTL). Otherwise a small binary header comes
/// first: `"\0KVC" 0x01`, a flags byte (1: "loaded nothing"), the logical expiry (Unix time in milliseconds,
/// 8 bytes big-endian), the number of tags (2 bytes), each tag's version (8 bytes) and name (2-byte length, UTF-8),
/// then the value's bytes.
struct CacheEntry: Equatable, Sendable {
    /// The value's bytes; nil for a remembered "nothing".
    var payload: [UInt8]?
    /// When the value stops being fresh (Unix ms); nil: fresh while the key exists.
    var expiresAt: Int64?
    /// The version of each tag when the value was loaded.
    var tags: [String: Int64]

    static let magic: [UInt8] = [0, 75, 86, 67, 1]  // "\0KVC" 1
    /// The most tags, and the longest tag in bytes, the header can hold (two-byte fields).
    static let maxTagBytes = Int(UInt16.max)

    var needsHeader: Bool { payload == nil || expiresAt != nil || !tags.isEmpty }

    func encoded() -> [UInt8] {
        guard needsHeader else { return payload ?? [] }
        var bytes = Self.magic
        bytes.append(payload == nil ? 1 : 0)
        Self.append(UInt64(bitPattern: expiresAt ?? Int64.max), bytes: 8, to: &bytes)
        Self.append(UInt64(tags.count), bytes: 2, to: &bytes)
        for (tag, version) in tags.sorted(by: { $0.key < $1.key }) {
            Self.append(UInt64(bitPattern: version), bytes: 8, to: &bytes)
            let name = Array(tag.utf8)
            Self.append(UInt64(name.count), bytes: 2, to: &bytes)
            bytes += name
        }
        bytes += payload ?? []
        return bytes
    }

    /// The entry stored as `bytes`: with a valid header, its fields; otherwise the bytes are a plain value.
    static func decode(_ bytes: [UInt8]) -> CacheEntry {
        guard bytes.count >= magic.count + 11, bytes.starts(with: magic) else { return CacheEntry(payload: bytes, expiresAt: nil, tags: [:]) }
        var index = magic.count
        let flags = bytes[index]
        index += 1
        func read(_ count: Int) -> UInt64? {
            guard index + count <= bytes.count else { return nil }
            defer { index += count }
            return bytes[index..<index + count].reduce(0) { $0 << 8 | UInt64($1) }
        }
        guard flags <= 1, let expiry = read(8), let tagCount = read(2) else { return CacheEntry(payload: bytes, expiresAt: nil, tags: [:]) }
        var tags: [String: Int64] = [:]
        for _ in 0..<tagCount {
            guard let version = read(8), let length = read(2), index + Int(length) <= bytes.count else {
                return CacheEntry(payload: bytes, expiresAt: nil, tags: [:])
            }
            tags[String(decoding: bytes[index..<index + Int(length)], as: UTF8.self)] = Int64(bitPattern: version)
            index += Int(length)
        }
        let expiresAt = Int64(bitPattern: expiry)
        return CacheEntry(payload: flags == 1 ? nil : Array(bytes[index...]), expiresAt: expiresAt == Int64.max ? nil : expiresAt, tags: tags)
    }

    private static func append(_ value: UInt64, bytes count: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (count - 1) * 8, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Now as Unix time in milliseconds (the logical expiry is shared by processes, so it is wall-clock time).
    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
