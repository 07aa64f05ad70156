extension RedisCommand {
    /// Appends the command in the Redis protocol (`*N`, then `$len` and the bytes of each argument) to `buffer`.
    ///
    /// The engine encodes a whole pipeline into one buffer and hands it to hiredis at once, instead of one
    /// hiredis allocation per command.
    package func encode(into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        Self.appendDecimal(ends.count, to: &buffer)
        buffer.append(contentsOf: [13, 10])
        bytes.withUnsafeBufferPointer { bytes in
            var start = 0
            for end in ends {
                buffer.append(UInt8(ascii: "$"))
                Self.appendDecimal(end - start, to: &buffer)
                buffer.append(contentsOf: [13, 10])
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                buffer.append(contentsOf: [13, 10])
                start = end
            }
        }
    }

    /// The decimal digits of a non-negative `value`, without going through `String`.
    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { digits in
            while rest > 0 {
                digits[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { buffer.append(digits[index]) }
        }
    }
}
