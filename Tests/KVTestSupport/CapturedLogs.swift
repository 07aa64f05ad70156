public import Logging

/// A `Logger` whose messages a test can read back.
public final class CapturedLogs: Sendable {
    private let lines = Locked<[String]>([])

    public init() {}

    public var messages: [String] { lines.value }

    public func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "kv.test") { _ in Handler(lines: self.lines) }
        logger.logLevel = level
        return logger
    }

    struct Handler: LogHandler {
        let lines: Locked<[String]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            lines.withLock { $0.append("\(event.level) \(event.message)") }
        }
    }
}
