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
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        while divisor > 0 {
            buffer.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// `\r\n`, appended byte by byte (an array literal here would be allocated per argument).
    private static func appendLineEnd(to buffer: inout [UInt8]) {
        buffer.append(13)
        buffer.append(10)
    }
}
