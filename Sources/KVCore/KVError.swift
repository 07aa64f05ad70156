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
    /// What kind of failure this is: compare it with the constants (`error.code == .timeout`); its text
    /// (``description``) is for people and may be reworded, its ``identifier`` is stable.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case invalidArgument, invalidConfiguration, valueTooLarge, timeout, connectionFailed, authenticationFailed, serverError, decodingFailed, encodingFailed, unavailable, shutdown, partialFailure, cancelled, outcomeUnknown, tlsFailed, unsupported, conflict, alreadyExists, notAnInteger, overflow
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// A stable name for programs (logs, metrics labels, JSON): `"timeout"`, `"outcomeUnknown"`, ...
        public var identifier: String { kind.rawValue }

        /// The code in words, for display: `"timeout"`, `"outcome unknown"`, ...
        public var description: String {
            switch kind {
            case .invalidArgument: "invalid argument"
            case .invalidConfiguration: "invalid configuration"
            case .valueTooLarge: "value too large"
            case .timeout: "timeout"
            case .connectionFailed: "connection failed"
            case .authenticationFailed: "authentication failed"
            case .serverError: "server error"
            case .decodingFailed: "decoding failed"
            case .encodingFailed: "encoding failed"
            case .unavailable: "unavailable"
            case .shutdown: "shutdown"
            case .partialFailure: "partial failure"
            case .cancelled: "cancelled"
            case .outcomeUnknown: "outcome unknown"
            case .tlsFailed: "TLS failed"
            case .unsupported: "unsupported"
            case .conflict: "conflict"
            case .alreadyExists: "already exists"
            case .notAnInteger: "not an integer"
            case .overflow: "overflow"
            }
        }

        /// The caller passed something the contract does not allow (an empty key, a TTL ≤ 0, ...).
        public static let invalidArgument = Code(.invalidArgument)
        /// A URL, configuration file or option is wrong.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A value is larger than ``KVLimits/maxValueBytes``; nothing was sent.
        public static let valueTooLarge = Code(.valueTooLarge)
        /// A node did not answer within the configured time.
        public static let timeout = Code(.timeout)
        /// A connection could not be made, or broke.
        public static let connectionFailed = Code(.connectionFailed)
        /// The server refused the credentials.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The server answered with an error reply; ``KVError/message`` holds it.
        public static let serverError = Code(.serverError)
        /// A stored value could not be decoded into the requested type.
        public static let decodingFailed = Code(.decodingFailed)
        /// A value could not be encoded.
        public static let encodingFailed = Code(.encodingFailed)
        /// No node can serve the request (for example every shard is down).
        public static let unavailable = Code(.unavailable)
        /// The store was shut down.
        public static let shutdown = Code(.shutdown)
        /// Part of a batch failed; ``KVError/failures`` names the keys.
        public static let partialFailure = Code(.partialFailure)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The command may or may not have run: the connection broke after it was sent, and sending it again
        /// could have changed its answer or the data (a conditional write, a delete, a count). Read the key to
        /// find out. Never returned for a read or an unconditional write, which are retried instead.
        public static let outcomeUnknown = Code(.outcomeUnknown)
        /// A TLS handshake or session failed; the message says why (untrusted certificate, name mismatch,
        /// expired, client certificate required, not a TLS server). Not retried.
        public static let tlsFailed = Code(.tlsFailed)
        /// The store does not offer this operation (a third-party store without atomic operations, say).
        public static let unsupported = Code(.unsupported)
        /// An optimistic update kept meeting concurrent writers and ran out of attempts; nothing was written by it.
        public static let conflict = Code(.conflict)
        /// A create found the key already there; nothing was written.
        public static let alreadyExists = Code(.alreadyExists)
        /// An increment met a value that is not a decimal integer of 64 bits.
        public static let notAnInteger = Code(.notAnInteger)
        /// An increment would leave the 64-bit range; nothing was written.
        public static let overflow = Code(.overflow)
    }

    /// What kind of failure this is.
    public let code: Code
    /// A human-readable cause (for a server error, the server's own message).
    public let message: String
    /// The key the operation was about, if any.
    public let key: String?
    /// The node (`host:port`, shard name, ...) involved, if any.
    public let node: String?
    /// For ``Code/partialFailure``: the keys that failed and why.
    public let failures: [KVKeyFailure]
    /// The error that caused this one, when it came from elsewhere (a `Codable` decoder's, say). Not part of
    /// the error's equality.
    public let underlyingError: (any Error & Sendable)?

    public init(
        _ code: Code, _ message: String, key: String? = nil, node: String? = nil, failures: [KVKeyFailure] = [],
        underlyingError: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.key = key
        self.node = node
        self.failures = failures
        self.underlyingError = underlyingError
    }

    /// This error with some of its parts replaced (the layers of the library relabel errors they pass up).
    package func with(code: Code? = nil, message: String? = nil) -> KVError {
        KVError(code ?? self.code, message ?? self.message, key: key, node: node, failures: failures, underlyingError: underlyingError)
    }

    /// `error` as an ``underlyingError``, when it is of a kind known to be `Sendable` (a `Codable` error, a
    /// ``KVError``, a cancellation); nil otherwise (the message still says what it was).
    package static func underlying(_ error: any Error) -> (any Error & Sendable)? {
        switch error {
        case let error as DecodingError: error
        case let error as EncodingError: error
        case let error as KVError: error
        case let error as CancellationError: error
        default: nil
        }
    }

    public static func == (lhs: KVError, rhs: KVError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.key == rhs.key && lhs.node == rhs.node && lhs.failures == rhs.failures
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(key)
        hasher.combine(node)
        hasher.combine(failures)
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
    public static func decodingFailed(key: String, type: Any.Type, reason: String, underlyingError: (any Error & Sendable)? = nil) -> KVError {
        KVError(.decodingFailed, "cannot decode \(type): \(reason)", key: key, underlyingError: underlyingError)
    }
}

/// One key of a batch that failed, and why.
public struct KVKeyFailure: Sendable, Hashable {
    public let key: String
    public let error: KVError
    public init(key: String, error: KVError) {
        self.key = key
        self.error = error
    }
}
