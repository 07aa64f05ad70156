/// One Redis command: its arguments packed in one buffer, binary safe.
///
/// ```swift
/// var command = RedisCommand("SET", key, value)
/// command.append("PX"); command.append("1500")
/// ```
package struct RedisCommand: Sendable, Hashable {
    /// Every argument's bytes, back to back.
    package private(set) var bytes: [UInt8] = []
    /// Where each argument ends in ``bytes``.
    package private(set) var ends: [Int] = []

    package init() {}

    package init(_ name: String, _ arguments: String...) {
        append(name)
        for argument in arguments { append(argument) }
    }

    package init(_ name: String, key: String, _ arguments: [UInt8]...) {
        bytes.reserveCapacity(name.utf8.count + key.utf8.count + arguments.reduce(0) { $0 + $1.count } + 16)
        ends.reserveCapacity(arguments.count + 4)
        append(name)
        append(key)
        for argument in arguments { append(argument) }
    }

    /// `name key…` with keys given as bytes (which may not be UTF-8).
    package init(raw name: String, _ keys: [UInt8]...) {
        append(name)
        for key in keys { append(key) }
    }

    /// `name key key…` with keys given as bytes.
    package init(raw name: String, keys: [[UInt8]]) {
        append(name)
        for key in keys { append(key) }
    }

    /// `name key key…`, as `MGET`, `UNLINK` and `EXISTS` take them.
    package init(_ name: String, keys: [String]) {
        append(name)
        for key in keys { append(key) }
    }

    package mutating func append(_ argument: String) {
        bytes.append(contentsOf: argument.utf8)
        ends.append(bytes.count)
    }

    package mutating func append(_ argument: [UInt8]) {
        bytes.append(contentsOf: argument)
        ends.append(bytes.count)
    }

    package var count: Int { ends.count }

    /// The command's name as sent (first argument), without copying.
    package var nameBytes: ArraySlice<UInt8> { bytes[0..<(ends.first ?? 0)] }

    /// The command's name, upper-cased, for metrics and messages.
    package var name: String {
        guard let end = ends.first else { return "" }
        return String(decoding: bytes[0..<end], as: UTF8.self).uppercased()
    }

    /// The argument at `index` as text, for messages.
    package func argument(_ index: Int) -> String {
        let start = index == 0 ? 0 : ends[index - 1]
        return String(decoding: bytes[start..<ends[index]], as: UTF8.self)
    }
}
