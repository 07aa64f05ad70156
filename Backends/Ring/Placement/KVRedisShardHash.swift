/// Python redis-shard 0.3.7 placement: 128 points per shard name (`"name:i"`), a key's point is found with
/// `bisect_right` and clamped to the last point (no wrap-around). Its hash tag is the greedy regex
/// `.*\{(.*)\}.*`: the text between the last `{` and the last `}` after it, possibly empty, within the key's
/// first line. Like redis-shard on Python 3, strings are hashed as ISO-8859-1 bytes; a key with characters
/// beyond U+00FF (which redis-shard rejects) is hashed as UTF-8, and a key that is not UTF-8 as its bytes.
public struct KVRedisShardHash: KVConsistentHash {
    public enum Function: Sendable { case crc32, md5, sha1 }
    public let function: Function

    public init(_ function: Function) { self.function = function }

    public func placement(for shards: [String]) -> any KVShardPlacement {
        if function == .crc32 { return CRC32Placement(shards: shards) }
        var owner: [[UInt8]: Int] = [:]
        var points: [[UInt8]] = []
        for (index, name) in shards.enumerated() {
            for replica in 0..<128 {
                let point = hash(Self.bytes("\(name):\(replica)"))
                owner[point] = index
                points.append(point)
            }
        }
        points.sort { $0.lexicographicallyPrecedes($1) }
        return Placement(function: function, points: points, owners: points.map { owner[$0]! })
    }

    /// The point value as big-endian bytes of fixed width, so byte order is numeric order.
    func hash(_ bytes: [UInt8]) -> [UInt8] { Self.hash(function, bytes) }

    static func hash(_ function: Function, _ bytes: [UInt8]) -> [UInt8] {
        switch function {
        case .crc32:
            let crc = CRC32.checksum(bytes)
            return [UInt8(crc >> 24), UInt8(truncatingIfNeeded: crc >> 16), UInt8(truncatingIfNeeded: crc >> 8), UInt8(truncatingIfNeeded: crc)]
        case .md5: return Digest.md5(bytes)
        case .sha1: return Digest.sha1(bytes)
        }
    }

    /// ISO-8859-1 bytes when every character fits, else UTF-8.
    static func bytes(_ text: Substring) -> [UInt8] {
        if text.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) { return text.unicodeScalars.map { UInt8($0.value) } }
        return Array(text.utf8)
    }

    static func bytes(_ text: String) -> [UInt8] { bytes(Substring(text)) }

    /// The part of `key` that redis-shard hashes.
    static func tag(_ key: String) -> Substring {
        var key = key
        let range = key.withUTF8 { tagRange($0) }
        let utf8 = key.utf8
        return Substring(key)[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: range.upperBound)]
    }

    /// The byte range of the tag within a key's UTF-8 bytes (the whole key when it has none).
    static func tagRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        let lineEnd = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        guard let lastClose = bytes[..<lineEnd].lastIndex(of: UInt8(ascii: "}")),
              let open = bytes[..<lastClose].lastIndex(of: UInt8(ascii: "{"))
        else { return 0..<bytes.count }
        return (open + 1)..<lastClose
    }

    /// The CRC32 mode without allocations: 32-bit points, and the key's bytes streamed into the checksum.
    struct CRC32Placement: KVShardPlacement {
        let points: [UInt32]
        let owners: [Int]

        init(shards: [String]) {
            var owner: [UInt32: Int] = [:]
            var points: [UInt32] = []
            for (index, name) in shards.enumerated() {
                for replica in 0..<128 {
                    let point = CRC32.checksum(KVRedisShardHash.bytes("\(name):\(replica)"))
                    owner[point] = index
                    points.append(point)
                }
            }
            points.sort()
            self.points = points
            owners = points.map { owner[$0]! }
        }

        func shardIndex(for key: String) -> Int {
            var key = key
            // ASCII tags (the common case) have the same bytes in ISO-8859-1 and UTF-8: checksum them in place.
            let ascii: UInt32? = key.withUTF8 { bytes in
                let tag = UnsafeBufferPointer(rebasing: bytes[KVRedisShardHash.tagRange(bytes)])
                return tag.allSatisfy { $0 < 0x80 } ? CRC32.checksum(tag) : nil
            }
            return owner(of: ascii ?? CRC32.checksum(KVRedisShardHash.bytes(KVRedisShardHash.tag(key))))
        }

        func shardIndex(forBytes key: [UInt8]) -> Int? {
            if let text = String(validating: key, as: UTF8.self) { return shardIndex(for: text) }
            return owner(of: key.withUnsafeBufferPointer { CRC32.checksum(UnsafeBufferPointer(rebasing: $0[KVRedisShardHash.tagRange($0)])) })
        }

        func owner(of value: UInt32) -> Int {
            var low = 0, high = points.count
            while low < high {
                let mid = (low + high) / 2
                if value < points[mid] { high = mid } else { low = mid + 1 }
            }
            return owners[min(low, points.count - 1)]
        }
    }

    /// A digest read as a big-endian number of up to 192 bits, compared as numbers (as Python's long).
    struct Point: Comparable, Hashable {
        let high: UInt64, middle: UInt64, low: UInt64

        init(_ digest: [UInt8]) {
            var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
            for (index, byte) in digest.prefix(24).enumerated() {
                let shifted = UInt64(byte) << (56 - 8 * UInt64(index % 8))
                switch index / 8 {
                case 0: words.0 |= shifted
                case 1: words.1 |= shifted
                default: words.2 |= shifted
                }
            }
            (high, middle, low) = words
        }

        init(_ words: ShortDigest.Words) { (high, middle, low) = words }

        static func < (lhs: Point, rhs: Point) -> Bool { (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low) }
    }

    struct Placement: KVShardPlacement {
        let function: Function
        let points: [Point]
        let owners: [Int]
        /// Where the points whose top 12 bits are `b` start, for each `b`, and the count at the end: a key's
        /// search starts within its bucket, a few points at most, instead of bisecting all of them (whose
        /// unpredictable branches cost more than a SHA-1 block).
        let directory: [Int32]

        init(function: Function, points: [[UInt8]], owners: [Int]) {
            self.function = function
            self.points = points.map(Point.init)
            self.owners = owners
            directory = Self.directory(self.points.map(\.high))
        }

        static let directoryBits = 12

        /// `directory[b]`: the index of the first of the sorted `tops` whose top bits are `b` or more.
        static func directory(_ tops: [UInt64]) -> [Int32] {
            var directory = [Int32](repeating: 0, count: (1 << directoryBits) + 1)
            var index = 0
            for bucket in 0..<(1 << directoryBits) {
                while index < tops.count, Int(tops[index] >> (64 - UInt64(directoryBits))) < bucket { index += 1 }
                directory[bucket] = Int32(index)
            }
            directory[1 << directoryBits] = Int32(tops.count)
            return directory
        }

        func shardIndex(for key: String) -> Int {
            var key = key
            // ASCII tags (the common case) have the same bytes in ISO-8859-1 and UTF-8: digest them in place.
            let short: Point? = key.withUTF8 { bytes in
                let tag = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[KVRedisShardHash.tagRange(bytes)])
                guard tag.count <= ShortDigest.maxLength, tag.allSatisfy({ $0 < 0x80 }) else { return nil }
                return Point(function == .md5 ? ShortDigest.md5(tag) : ShortDigest.sha1(tag))
            }
            return owner(of: short ?? Point(KVRedisShardHash.hash(function, KVRedisShardHash.bytes(KVRedisShardHash.tag(key)))))
        }

        func shardIndex(forBytes key: [UInt8]) -> Int? {
            if let text = String(validating: key, as: UTF8.self) { return shardIndex(for: text) }
            let tag = key.withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[KVRedisShardHash.tagRange($0)])) }
            return owner(of: Point(KVRedisShardHash.hash(function, tag)))
        }

        func owner(of value: Point) -> Int {
            // bisect_right over the points of the value's bucket: every point of an earlier bucket is smaller,
            // every point of a later one larger.
            let bucket = Int(value.high >> (64 - UInt64(Self.directoryBits)))
            var low = Int(directory[bucket]), high = Int(directory[bucket + 1])
            while low < high {
                let mid = (low + high) / 2
                if value < points[mid] { high = mid } else { low = mid + 1 }
            }
            return owners[min(low, points.count - 1)]
        }
    }
}
