import KVRedisCore

/// Redis Cluster hash slots: CRC16-XMODEM of the hash-tag part, `& 16383`.
public enum KVClusterSlot {
    public static let count = 16384

    private static let table: [UInt16] = (0..<256).map { byte in
        var crc = UInt16(byte) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }

    /// CRC16-XMODEM (poly 0x1021, init 0, no reflection).
    public static func crc16(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        table.withUnsafeBufferPointer { table in
            var crc: UInt16 = 0
            for byte in bytes { crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(byte))] }
            return crc
        }
    }

    /// The slot of `key`: only the first `{…}` with non-empty content is hashed, if there is one (the engine's hash-tag rule).
    public static func slot(for key: String) -> Int {
        var key = key
        return key.withUTF8(slot(forBytes:))
    }

    /// The slot of a key given as bytes, which need not be UTF-8.
    public static func slot(forBytes key: [UInt8]) -> Int {
        key.withUnsafeBufferPointer(slot(forBytes:))
    }

    private static func slot(forBytes bytes: UnsafeBufferPointer<UInt8>) -> Int {
        RedisHashTag.withClusterTag(bytes: bytes) { Int(crc16($0) & 0x3FFF) }
    }
}
