/// The one error type every `KVStore` throws.
///
/// An error says what happened (``code``), and where relevant which key and which node.
/// Match on the code:
///
/// ```swift
/// do { _ = try await store.get("user:1") }
/// catch let error where error.code == .timeout { print("slow node:", error.node ?? "?") }
/// ```
public struct KVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The caller passed something the contract does not allow (an empty key, a TTL ≤ 0, ...).
        public static let invalidArgument = Code("invalid argument")
        /// A URL, configuration file or option is wrong.
        public static let invalidConfiguration = Code("invalid configuration")
        /// A value is larger than ``KVLimits/maxValueBytes``; nothing was sent.
        public static let valueTooLarge = Code("value too large")
        /// A node did not answer within the configured time.
        public static let timeout = Code("timeout")
        /// A connection could not be made, or broke.
        public static let connectionFailed = Code("connection failed")
        /// The server refused the credentials.
        public static let authenticationFailed = Code("authentication failed")
        /// The server answered with an error reply; ``KVError/message`` holds it.
        public static let serverError = Code("server error")
        /// A stored value could not be decoded into the requested type.
        public static let decodingFailed = Code("decoding failed")
        /// A value could not be encoded.
        public static let encodingFailed = Code("encoding failed")
        /// No node can serve the request (for example every shard is down).
        public static let unavailable = Code("unavailable")
        /// The store was shut down.
        public static let shutdown = Code("shutdown")
        /// Part of a batch failed; ``KVError/failures`` names the keys.
        public static let partialFailure = Code("partial failure")
        /// The calling task was cancelled.
        public static let cancelled = Code("cancelled")
        /// The command may or may not have run: the connection broke after it was sent, and sending it again
        /// could have changed its answer or the data (a conditional write, a delete, a count). Read the key to
        /// find out. Never returned for a read or an unconditional write, which are retried instead.
        public static let outcomeUnknown = Code("outcome unknown")
        /// A TLS handshake or session failed; the message says why (untrusted certificate, name mismatch,
        /// expired, client certificate required, not a TLS server). Not retried.
        public static let tlsFailed = Code("TLS failed")
        /// The store does not offer this operation (a third-party store without atomic operations, say).
        public static let unsupported = Code("unsupported")
        /// An optimistic update kept meeting concurrent writers and ran out of attempts; nothing was written by it.
        public static let conflict = Code("conflict")
        /// A create found the key already there; nothing was written.
        public static let alreadyExists = Code("already exists")
        /// An increment met a value that is not a decimal integer of 64 bits.
        public static let notAnInteger = Code("not an integer")
        /// An increment would leave the 64-bit range; nothing was written.
        public static let overflow = Code("overflow")
    }

    public var code: Code
    /// A human-readable cause (for a server error, the server's own message).
    public var message: String
    /// The key the operation was about, if any.
    public var key: String?
    /// The node (`host:port`, shard name, ...) involved, if any.
    public var node: String?
    /// For ``Code/partialFailure``: the keys that failed and why.
    public var failures: [KVKeyFailure]

    public init(_ code: Code, _ message: String, key: String? = nil, node: String? = nil, failures: [KVKeyFailure] = []) {
        self.code = code
        self.message = message
        self.key = key
        self.node = node
        self.failures = failures
    }

    public var description: String {
        var text = "\(code)"
        if let node { text += " on \(node)" }
        if let key { text += " for key \(KVError.render(key))" }
        if !message.isEmpty { text += ": \(message)" }
        if !failures.isEmpty {
            let shown = failures.prefix(5).map { "\(KVError.render($0.key)) (\($0.error.code))" }
            text += " [failed keys: \(shown.joined(separator: ", "))\(failures.count > 5 ? ", … \(failures.count) in all" : "")]"
        }
        return text
    }

    /// A key rendered for messages: quoted, control characters escaped, long keys shortened.
    public static func render(_ key: String) -> String {
        let shown = key.unicodeScalars.count > 80 ? String(String.UnicodeScalarView(key.unicodeScalars.prefix(80))) + "…" : key
        return "\"" + shown.unicodeScalars.map { $0.escaped(asASCII: false) }.joined() + "\""
    }

    // MARK: Common constructors

    public static func invalidArgument(_ message: String, key: String? = nil) -> KVError {
        KVError(.invalidArgument, message, key: key)
    }
    public static func invalidConfiguration(_ message: String) -> KVError {
        KVError(.invalidConfiguration, message)
    }
    public static func shutdown(node: String? = nil) -> KVError {
        KVError(.shutdown, "the store has been shut down", node: node)
    }
    public static func decodingFailed(key: String, type: Any.Type, reason: String) -> KVError {
        KVError(.decodingFailed, "cannot decode \(type): \(reason)", key: key)
    }
}

/// One key of a batch that failed, and why.
public struct KVKeyFailure: Sendable, Hashable {
    public var key: String
    public var error: KVError
    public init(key: String, error: KVError) {
        self.key = key
        self.error = error
    }
}
