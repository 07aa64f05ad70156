public import Logging

/// Logging defaults for the library.
///
/// Following swift-log's advice for libraries, stores log only to a `Logger` their caller passes; where none
/// is passed they use ``disabled``, which drops everything.
///
/// ```swift
/// var logger = Logger(label: "my-service.kv")
/// logger.logLevel = .info
/// let store = try await KVStores.open("redis://127.0.0.1:6379", logger: logger)
/// ```
public enum KVLogging {
    /// A logger that drops every message.
    public static let disabled = Logger(label: "kv.disabled", factory: { _ in SwiftLogNoOpLogHandler() })
}
