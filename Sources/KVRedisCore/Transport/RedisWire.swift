import CHiredis
import KVCore
import KVRedisConfiguration

/// One connection to a Redis node: a byte stream of its own (TCP or a Unix socket), and hiredis's reply reader
/// as the protocol engine. Not thread-safe: it is owned and used by exactly one connection thread.
final class RedisWire {
    private let stream: any RedisByteStream
    private let reader: UnsafeMutablePointer<redisReader>
    let node: String
    private let commandTimeout: Duration
    /// The stream's current read and write timeout (see ``boundNextIO(by:)``).
    private var socketTimeout: Duration {
        didSet { socketTimeoutBand = Self.band(around: socketTimeout) }
    }
    /// Within a tenth of ``socketTimeout``: what is left until a deadline may differ from it this much
    /// before the socket is told (computed once per change, not per read: `Duration` arithmetic is not free).
    private var socketTimeoutBand: ClosedRange<Duration>
    private var input = [UInt8](repeating: 0, count: 16 * 1024)

    /// Connects (and runs the TLS handshake) within the budget, then bounds every read and write by the
    /// command timeout.
    init(configuration: RedisConnectionConfiguration, budget: RedisConnectBudget) throws(KVError) {
        node = configuration.node
        commandTimeout = configuration.settings.commandTimeout
        socketTimeout = configuration.settings.commandTimeout
        socketTimeoutBand = Self.band(around: configuration.settings.commandTimeout)
        let socket: RedisSocket
        if let path = configuration.unixSocketPath {
            socket = try RedisSocket.connect(unixSocket: path)
        } else {
            socket = try RedisSocket.connect(to: configuration.endpoint, budget: budget)
        }
        if let tls = configuration.settings.tls {
            stream = try RedisTLSStream(socket: socket, configuration: tls, host: configuration.endpoint.host, budget: budget)
        } else {
            stream = socket
        }
        stream.setIOTimeout(commandTimeout)
        guard let reader = kv_reader_create(Int64(configuration.settings.maxReplyElements), Int64(configuration.settings.maxReplyBytes)) else {
            throw KVError(.connectionFailed, "cannot allocate a reply reader", node: node)
        }
        self.reader = reader
    }

    deinit { kv_reader_free(reader) }

    /// The socket's descriptor, so that another thread can shut it down (see ``RedisConnectionCore/close()``).
    var descriptor: Int32 { stream.descriptor }

    /// Writes commands already encoded in the Redis protocol (see ``RedisCommand/encode(into:)``) straight from
    /// the caller's buffer, each write bounded by what is left until `deadline`.
    ///
    /// - Throws: `timeout` or `connectionFailed`; the connection is then dead and must be discarded.
    func send(encoded output: [UInt8], until deadline: ContinuousClock.Instant) throws(KVError) {
        var offset = 0
        while offset < output.count {
            try boundNextIO(by: deadline)
            let sent = output.withUnsafeBytes { bytes in
                Result { () throws(KVError) in try io { () throws(KVError) in try stream.send(UnsafeRawBufferPointer(rebasing: bytes[offset...])) } }
            }
            offset += try sent.get()
        }
    }

    /// Reads one reply, waiting no longer than `deadline` in all: a reply that trickles in byte by byte
    /// cannot extend the wait.
    ///
    /// - Throws: `timeout` when the deadline passed, `connectionFailed` when the connection broke, `serverError`
    ///   when the reply is not valid RESP. Either way the connection is dead and must be discarded.
    func readReply(until deadline: ContinuousClock.Instant) throws(KVError) -> RedisReply {
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK else { throw protocolError() }
        while raw == nil {
            try boundNextIO(by: deadline)
            let received = try input.withUnsafeMutableBytes { buffer in
                Result { () throws(KVError) in try io { () throws(KVError) in try stream.receive(into: buffer) } }
            }.get()
            input.withUnsafeBytes { _ = redisReaderFeed(reader, $0.baseAddress?.assumingMemoryBound(to: CChar.self), received) }
            guard redisReaderGetReply(reader, &raw) == REDIS_OK else { throw protocolError() }
            if raw == nil, kv_reader_oversized_bulk(reader) >= 0 { throw protocolError() }
        }
        defer { freeReplyObject(raw) }
        return Self.convert(raw!.assumingMemoryBound(to: redisReply.self))
    }

    /// Sends one command and reads its reply by `deadline`, calling `betweenSlices` about every 50 ms while
    /// the reply is late (a partial reply is kept between the slices; an error it throws ends the wait).
    func roundTrip(
        _ command: RedisCommand, until deadline: ContinuousClock.Instant, betweenSlices: () throws(KVError) -> Void = {}
    ) throws(KVError) -> RedisReply {
        var encoded: [UInt8] = []
        command.encode(into: &encoded)
        try send(encoded: encoded, until: deadline)
        while true {
            let slice = min(deadline, ContinuousClock.now + RedisConnectBudget.slice)
            do throws(KVError) {
                return try readReply(until: slice)
            } catch where error.code == .timeout && slice < deadline {
                try betweenSlices()
            }
        }
    }

    /// Whether the server closed the connection (or sent something unasked) while it was idle: a readable
    /// socket with no request outstanding. Costs one `poll` with no wait.
    var isClosedByPeer: Bool { stream.isClosedByPeer }

    /// Lowers the stream's timeout to what is left until `deadline` (or raises it back), so one blocking read
    /// or write never outlasts the deadline by more than a tenth; throws `timeout` once it has passed.
    private func boundNextIO(by deadline: ContinuousClock.Instant) throws(KVError) {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { throw timedOut() }
        if !socketTimeoutBand.contains(remaining) {
            let bounded = min(remaining, commandTimeout)
            if bounded != socketTimeout {
                socketTimeout = bounded
                stream.setIOTimeout(bounded)
            }
        }
    }

    private static func band(around timeout: Duration) -> ClosedRange<Duration> {
        let tenth = timeout / 10
        return (timeout - tenth)...(timeout + tenth)
    }

    /// Runs one stream call, giving its timeout the command timeout in the message.
    private func io<T>(_ body: () throws(KVError) -> T) throws(KVError) -> T {
        do { return try body() } catch {
            throw error.code == .timeout ? timedOut() : error
        }
    }

    private func timedOut() -> KVError {
        KVError(.timeout, "no reply within the command timeout of \(commandTimeout); connection closed", node: node)
    }

    /// The reply was refused: beyond a limit (see ``RedisConnectionConfiguration/maxReplyElements``), or not RESP.
    private func protocolError() -> KVError {
        let limits = kv_reader_limits_of(reader).pointee
        switch limits.refused_type {
        case REDIS_REPLY_ARRAY:
            return KVError(.serverError, "the server announced a reply array of \(limits.refused_length) elements, beyond the limit of \(limits.max_elements) (maxReplyElements); connection closed", node: node)
        case REDIS_REPLY_STRING:
            return KVError(.serverError, "the server announced a reply string of \(limits.refused_length) bytes, beyond the limit of \(limits.max_bulk) (maxReplyBytes); connection closed", node: node)
        case REDIS_REPLY_STATUS:
            return KVError(.serverError, "the server sent \(limits.refused_length) bytes without ending a reply line, beyond the limit of \(limits.max_bulk) (maxReplyBytes); connection closed", node: node)
        default:
            return KVError(.serverError, "the server sent a reply that is not valid RESP: \(String(cString: kv_reader_errstr(reader))); connection closed", node: node)
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
