extension RedisCommand {
    /// Appends the command in the Redis protocol (`*N`, then `$len` and the bytes of each argument) to `buffer`.
    ///
    /// The engine encodes a whole pipeline into one buffer and hands it to hiredis at once, instead of one
    /// hiredis allocation per command.
    package func encode(into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        Self.appendDecimal(ends.count, to: &buffer)
        Self.appendLineEnd(to: &buffer)
        bytes.withUnsafeBufferPointer { bytes in
            var start = 0
            for end in ends {
                buffer.append(UInt8(ascii: "$"))
                Self.appendDecimal(end - start, to: &buffer)
                Self.appendLineEnd(to: &buffer)
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                Self.appendLineEnd(to: &buffer)
                start = end
            }
        }
    }

    /// The decimal digits of a non-negative `value`, without going through `String`.
    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value))
            return
        }
        // Digits from the right into a small tuple (division by a constant 10 compiles to a multiply), then
        // appended in order.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            var rest = UInt(value)
            repeat {
                scratch[23 - count] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[(24 - count)...]))
        }
    }

    /// `\r\n`, appended byte by byte (an array literal here would be allocated per argument).
    private static func appendLineEnd(to buffer: inout [UInt8]) {
        buffer.append(13)
        buffer.append(10)
    }
}
