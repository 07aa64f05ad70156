import Foundation

/// Writing to stdout and stderr: raw bytes, lines, and whether a terminal is attached.
enum Output {
    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var isErrorTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    static func write(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func line(_ text: String) {
        write(Array((text + "\n").utf8))
    }

    /// One clear line on stderr, prefixed with `kv: `.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data("kv: \(text.replacingOccurrences(of: "\n", with: " "))\n".utf8))
    }

    /// A transient status line on stderr, only when it is a terminal.
    static func progress(_ text: String) {
        guard isErrorTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
    }

    static func endProgress() {
        guard isErrorTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    /// One JSON value on one line, with sorted keys.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        write(Array(try encoder.encode(value)) + [UInt8(ascii: "\n")])
    }

    /// One untyped JSON object on one line, with sorted keys.
    static func jsonObject(_ object: [String: Any]) throws {
        write(Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) + [UInt8(ascii: "\n")])
    }

    /// Reads all of stdin.
    static func readStandardInput() -> [UInt8] {
        Array(FileHandle.standardInput.readDataToEndOfFile())
    }
}
