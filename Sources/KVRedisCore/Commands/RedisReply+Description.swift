import KVCore

/// A reply described in words for error messages: its kind, its size and the start of its text, never a dump
/// of its bytes (a hostile or broken server's reply can be large or binary).
///
/// ```swift
/// RedisReply.string(Array("12".utf8)).description  // "a string of 2 bytes \"12\""
/// ```
extension RedisReply: CustomStringConvertible {
    /// Characters of a string reply shown at most.
    static let shownCharacters = 40

    package var description: String {
        switch self {
        case .string(let bytes): "a string of \(bytes.count) bytes \(Self.excerpt(bytes))"
        case .status(let text): "the status \(Self.excerpt(Array(text.utf8)))"
        case .integer(let value): "the integer \(value)"
        case .null: "null"
        case .error(let message): "the error \(Self.excerpt(Array(message.utf8)))"
        case .array(let items):
            items.isEmpty ? "an empty array" : "an array of \(items.count) (first: \(items[0].shortDescription))"
        }
    }

    /// The kind of a reply without its elements, for the first element of an array.
    private var shortDescription: String {
        if case .array(let items) = self { return "an array of \(items.count)" }
        return description
    }

    /// The start of `bytes` as quoted text, with what is not printable ASCII escaped, truncated with "…".
    package static func excerpt(_ bytes: [UInt8]) -> String {
        var text = "\""
        for byte in bytes.prefix(shownCharacters) {
            switch byte {
            case UInt8(ascii: "\""): text += "\\\""
            case UInt8(ascii: "\\"): text += "\\\\"
            case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(byte))
            default: text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return text + (bytes.count > shownCharacters ? "…\"" : "\"")
    }
}
