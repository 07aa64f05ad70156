import CHiredis
import KVCore

/// One hiredis connection. Not thread-safe: it is owned and used by exactly one connection thread.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>
    let node: String

    /// Connects within `timeout`, then bounds every read and write by `commandTimeout`.
    init(endpoint: KVEndpoint, connectTimeout: Duration, commandTimeout: Duration) throws(KVError) {
        node = endpoint.description
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

    /// Queues a command in the output buffer; nothing is sent until ``readReply(timeout:)``.
    func append(_ command: RedisCommand) {
        let count = command.count
        command.bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { argv in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { lengths in
                    var start = 0
                    for (index, end) in command.ends.enumerated() {
                        argv[index] = base + start
                        lengths[index] = end - start
                        start = end
                    }
                    _ = redisAppendCommandArgv(context, Int32(count), argv.baseAddress, lengths.baseAddress)
                }
            }
        }
    }

    /// Flushes what is queued (first call), then reads one reply.
    ///
    /// - Throws: `timeout` when the server did not answer within the command timeout, `connectionFailed`
    ///   when the connection broke. Either way the context is dead and must be discarded.
    func readReply(commandTimeout: Duration) throws(KVError) -> RedisReply {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
            throw ioError(commandTimeout: commandTimeout, errno: kv_errno())
        }
        defer { freeReplyObject(raw) }
        return Self.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Sends one command and reads its reply.
    func roundTrip(_ command: RedisCommand, commandTimeout: Duration) throws(KVError) -> RedisReply {
        append(command)
        return try readReply(commandTimeout: commandTimeout)
    }

    private func ioError(commandTimeout: Duration, errno code: Int32) -> KVError {
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
