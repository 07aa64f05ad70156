import CHiredis
import KVCore

/// One hiredis connection. Not thread-safe: it is owned and used by exactly one connection thread.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>
    let node: String
    private let commandTimeout: Duration
    /// The socket's current read and write timeout (see ``boundNextIO(by:)``).
    private var socketTimeout: Duration

    /// Connects within `timeout`, then bounds every read and write by `commandTimeout`.
    init(endpoint: KVEndpoint, connectTimeout: Duration, commandTimeout: Duration) throws(KVError) {
        node = endpoint.description
        self.commandTimeout = commandTimeout
        socketTimeout = commandTimeout
        guard let context = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), kv_timeval_ms(connectTimeout.roundedUpMilliseconds)) else {
            throw KVError(.connectionFailed, "cannot allocate a connection", node: node)
        }
        if context.pointee.err != 0 {
            let message = String(cString: kv_redis_errstr(context))
            redisFree(context)
            let timedOut = message.localizedLowercase.contains("timed out") || message.contains("temporarily unavailable")
            throw KVError(.connectionFailed, timedOut ? "connect timed out after \(connectTimeout): \(message)" : "cannot connect: \(message)", node: node)
        }
        self.context = context
        if redisSetTimeout(context, kv_timeval_ms(commandTimeout.roundedUpMilliseconds)) != REDIS_OK {
            let message = String(cString: kv_redis_errstr(context))
            redisFree(context)
            throw KVError(.connectionFailed, "cannot set the command timeout: \(message)", node: node)
        }
    }

    deinit { redisFree(context) }

    /// Queues commands already encoded in the Redis protocol (see ``RedisCommand/encode(into:)``) in the output
    /// buffer; nothing is sent until ``flush(until:)``.
    func append(encoded bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            _ = redisAppendFormattedCommand(context, raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
        }
    }

    /// Writes everything appended so far, each write bounded by what is left until `deadline`.
    ///
    /// - Throws: `timeout` or `connectionFailed`; the context is then dead and must be discarded.
    func flush(until deadline: ContinuousClock.Instant) throws(KVError) {
        var done: Int32 = 0
        while done == 0 {
            try boundNextIO(by: deadline)
            guard redisBufferWrite(context, &done) == REDIS_OK else { throw ioError(errno: kv_errno()) }
        }
    }

    /// Reads one reply, waiting no longer than `deadline` in all: a reply that trickles in byte by byte
    /// cannot extend the wait.
    ///
    /// - Throws: `timeout` when the deadline passed, `connectionFailed` when the connection broke, `serverError`
    ///   when the reply is not valid RESP. Either way the context is dead and must be discarded.
    func readReply(until deadline: ContinuousClock.Instant) throws(KVError) -> RedisReply {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReplyFromReader(context, &raw) == REDIS_OK else { throw protocolError() }
        while raw == nil {
            try boundNextIO(by: deadline)
            guard redisBufferRead(context) == REDIS_OK else { throw ioError(errno: kv_errno()) }
            guard redisGetReplyFromReader(context, &raw) == REDIS_OK else { throw protocolError() }
        }
        defer { freeReplyObject(raw) }
        return Self.convert(raw!.assumingMemoryBound(to: redisReply.self))
    }

    /// Sends one command and reads its reply within `timeout`.
    func roundTrip(_ command: RedisCommand, timeout: Duration) throws(KVError) -> RedisReply {
        let deadline = ContinuousClock.now + timeout
        var encoded: [UInt8] = []
        command.encode(into: &encoded)
        append(encoded: encoded)
        try flush(until: deadline)
        return try readReply(until: deadline)
    }

    /// Whether the server closed the connection (or sent something unasked) while it was idle: a readable
    /// socket with no request outstanding. Costs one `poll` with no wait.
    var isClosedByPeer: Bool {
        kv_readable_now(context.pointee.fd) != 0
    }

    /// Lowers the socket timeout to what is left until `deadline` (or raises it back), so one blocking read or
    /// write never outlasts the deadline by more than a tenth; throws `timeout` once it has passed.
    private func boundNextIO(by deadline: ContinuousClock.Instant) throws(KVError) {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else {
            throw KVError(.timeout, "no reply within the command timeout of \(commandTimeout); connection closed", node: node)
        }
        if remaining * 10 < socketTimeout * 9 || remaining * 10 > socketTimeout * 11 {
            let bounded = min(remaining, commandTimeout)
            if bounded != socketTimeout {
                socketTimeout = bounded
                _ = redisSetTimeout(context, kv_timeval_ms(max(1, bounded.roundedUpMilliseconds)))
            }
        }
    }

    private func protocolError() -> KVError {
        KVError(.serverError, "the server sent a reply that is not valid RESP: \(String(cString: kv_redis_errstr(context))); connection closed", node: node)
    }

    private func ioError(errno code: Int32) -> KVError {
        let message = String(cString: kv_redis_errstr(context))
        switch Int32(context.pointee.err) {
        case REDIS_ERR_EOF:
            return KVError(.connectionFailed, "the server closed the connection", node: node)
        case REDIS_ERR_IO where code == EAGAIN || code == EWOULDBLOCK || message.contains("temporarily unavailable"):
            return KVError(.timeout, "no reply within the command timeout of \(commandTimeout); connection closed", node: node)
        default:
            return KVError(.connectionFailed, message.isEmpty ? "I/O error" : message, node: node)
        }
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .string(r.len == 0 ? [] : Array(UnsafeRawBufferPointer(start: r.str, count: r.len)))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: UnsafeRawBufferPointer(start: r.str, count: r.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: UnsafeRawBufferPointer(start: r.str, count: r.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(r.elements)
            for i in 0..<r.elements { elements.append(r.element[i].map(convert) ?? .null) }
            return .array(elements)
        default:
            return .null
        }
    }
}
