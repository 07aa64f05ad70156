import CHiredis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KVCore

/// A blocking stream socket to a Redis node over TCP or a Unix-domain socket, with bounded connects and I/O.
final class RedisSocket: RedisByteStream {
    let descriptor: Int32
    let node: String
    private var ioTimeout = Duration.zero

    private init(descriptor: Int32, node: String) {
        self.descriptor = descriptor
        self.node = node
    }

    deinit { kv_close(descriptor) }

    /// Connects over TCP, trying each address of `endpoint.host` in turn, by the budget's connect deadline in all.
    static func connect(to endpoint: KVEndpoint, budget: RedisConnectBudget) throws(KVError) -> RedisSocket {
        let node = endpoint.description
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = kv_stream_type()
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list)
        guard status == 0, let first = list else {
            throw KVError(.connectionFailed, "cannot resolve \(endpoint.host): \(String(cString: gai_strerror(status)))", node: node)
        }
        defer { freeaddrinfo(list) }
        let deadline = budget.connectDeadline
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let fd = kv_stream_socket(address.pointee.ai_family, address.pointee.ai_protocol)
            guard fd >= 0 else {
                lastError = String(cString: strerror(errno))
                continue
            }
            guard deadline > ContinuousClock.now else {
                kv_close(fd)
                throw KVError(.connectionFailed, "connect timed out: it did not complete within \(budget.connectBound)", node: node)
            }
            _ = kv_set_nonblocking(fd, 1)
            var error: Int32 = 0
            if kv_connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) != 0 {
                error = errno
                while error == EINPROGRESS {
                    guard let wait = budget.nextWait(before: deadline) else {
                        error = ETIMEDOUT
                        break
                    }
                    error = kv_wait_connected(fd, wait)
                    if error == ETIMEDOUT, ContinuousClock.now < deadline {
                        do throws(KVError) { try budget.betweenSlices(node: node) } catch {
                            kv_close(fd)
                            throw error
                        }
                        error = EINPROGRESS
                    }
                }
            }
            if error == 0 {
                _ = kv_set_nonblocking(fd, 0)
                kv_set_nodelay(fd)
                return RedisSocket(descriptor: fd, node: node)
            }
            kv_close(fd)
            if error == ETIMEDOUT { throw KVError(.connectionFailed, "connect timed out: it did not complete within \(budget.connectBound)", node: node) }
            lastError = String(cString: strerror(error))
        }
        throw KVError(.connectionFailed, "cannot connect: \(lastError)", node: node)
    }

    /// Connects to a Unix-domain socket.
    static func connect(unixSocket path: String) throws(KVError) -> RedisSocket {
        let fd = kv_connect_unix(path)
        guard fd >= 0 else {
            throw KVError(.connectionFailed, "cannot connect to \(path): \(String(cString: strerror(errno)))", node: "unix:\(path)")
        }
        return RedisSocket(descriptor: fd, node: "unix:\(path)")
    }

    func setIOTimeout(_ timeout: Duration) {
        guard timeout != ioTimeout else { return }
        ioTimeout = timeout
        _ = kv_set_io_timeout(descriptor, timeout.roundedUpMilliseconds)
    }

    func send(_ bytes: UnsafeRawBufferPointer) throws(KVError) -> Int {
        while true {
            let sent = kv_send(descriptor, bytes.baseAddress, bytes.count)
            if sent >= 0 { return sent }
            if errno == EINTR { continue }
            throw ioError(errno)
        }
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(KVError) -> Int {
        while true {
            let received = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if received > 0 { return received }
            if received == 0 { throw KVError(.connectionFailed, "the server closed the connection", node: node) }
            if errno == EINTR { continue }
            throw ioError(errno)
        }
    }

    var isClosedByPeer: Bool { kv_readable_now(descriptor) != 0 }

    func ioError(_ code: Int32) -> KVError {
        if code == EAGAIN || code == EWOULDBLOCK {
            return KVError(.timeout, "no reply within the command timeout; connection closed", node: node)
        }
        return KVError(.connectionFailed, String(cString: strerror(code)), node: node)
    }
}
