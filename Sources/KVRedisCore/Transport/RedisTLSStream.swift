import CHiredis
import COpenSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KVCore
import KVRedisConfiguration

/// TLS over a ``RedisSocket``, with OpenSSL: the handshake verifies the server's certificate and name unless
/// the configuration is insecure, and every failure says why.
final class RedisTLSStream: RedisByteStream {
    private let socket: RedisSocket
    private let ssl: OpaquePointer
    let node: String
    /// Whether anything was read yet: a server that asked for a client certificate and got none closes the
    /// connection on the first read after the handshake (TLS 1.3).
    private var receivedAny = false
    /// The client certificate presented, if any (for messages).
    private let certFile: String?

    /// Runs the handshake on `socket` by the budget's connect deadline in all, however slowly the peer answers.
    init(socket: RedisSocket, configuration: KVTLSConfiguration, host: String, budget: RedisConnectBudget) throws(KVError) {
        self.socket = socket
        node = socket.node
        certFile = configuration.certFile
        let context = try RedisTLSContexts.context(for: configuration, node: socket.node)
        guard let ssl = SSL_new(context.pointer) else { throw KVError(.tlsFailed, "cannot create a TLS session: \(Self.openSSLError())", node: socket.node) }
        self.ssl = ssl
        SSL_set_fd(ssl, socket.descriptor)
        let name = configuration.serverName ?? host
        let isAddress = Self.isIPAddress(name)
        if !isAddress { _ = kv_ssl_set_sni(ssl, name) }
        if !configuration.insecure {
            let parameters = SSL_get0_param(ssl)
            let set = isAddress ? X509_VERIFY_PARAM_set1_ip_asc(parameters, name) : X509_VERIFY_PARAM_set1_host(parameters, name, 0)
            guard set == 1 else { throw KVError(.tlsFailed, "cannot verify against the name \(name): \(Self.openSSLError())", node: node) }
        }
        try handshake(name: name, configuration: configuration, budget: budget)
    }

    /// `SSL_connect` on the socket made non-blocking, waiting for it in slices until the connect deadline: a
    /// peer that trickles its handshake a byte at a time cannot stretch the wait (one blocking `SSL_connect`
    /// with a per-read timeout could be held for minutes).
    private func handshake(name: String, configuration: KVTLSConfiguration, budget: RedisConnectBudget) throws(KVError) {
        _ = kv_set_nonblocking(socket.descriptor, 1)
        defer { _ = kv_set_nonblocking(socket.descriptor, 0) }
        while true {
            let result = SSL_connect(ssl)
            if result == 1 { return }
            let code = SSL_get_error(ssl, result)
            guard code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE else {
                throw handshakeError(result, name: name, configuration: configuration)
            }
            ERR_clear_error()
            guard let wait = budget.nextWait(before: budget.connectDeadline) else {
                throw KVError(.timeout, "the TLS handshake did not complete within \(budget.connectBound) (is the port a TLS port?)", node: node)
            }
            let ready = kv_wait_ready(socket.descriptor, code == SSL_ERROR_WANT_WRITE ? 1 : 0, wait)
            if ready < 0, errno != EINTR {
                throw KVError(.connectionFailed, "the TLS handshake failed: \(String(cString: strerror(errno)))", node: node)
            }
            if ready == 0 { try budget.betweenSlices(node: node) }
        }
    }

    deinit {
        SSL_free(ssl)
    }

    func setIOTimeout(_ timeout: Duration) { socket.setIOTimeout(timeout) }

    var descriptor: Int32 { socket.descriptor }

    func send(_ bytes: UnsafeRawBufferPointer) throws(KVError) -> Int {
        let written = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        if written > 0 { return Int(written) }
        throw sessionError(written)
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(KVError) -> Int {
        let read = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        if read > 0 {
            receivedAny = true
            return Int(read)
        }
        throw sessionError(read)
    }

    /// A readable socket may only carry TLS records with no data for us (TLS 1.3 session tickets): peek
    /// without waiting, and count the connection closed only on end of stream, an error, or unasked data.
    var isClosedByPeer: Bool {
        guard SSL_pending(ssl) == 0 else { return true }
        guard socket.isClosedByPeer else { return false }
        _ = kv_set_nonblocking(socket.descriptor, 1)
        defer { _ = kv_set_nonblocking(socket.descriptor, 0) }
        var byte: UInt8 = 0
        let peeked = SSL_peek(ssl, &byte, 1)
        if peeked > 0 { return true }
        let error = SSL_get_error(ssl, peeked)
        ERR_clear_error()
        return !(error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE)
    }

    /// Why a read or write failed: a timeout, the peer closing, or a TLS alert (such as a required client certificate).
    private func sessionError(_ result: Int32) -> KVError {
        let error = describeSessionError(result)
        // The alert saying so may be lost when the server resets the connection; that it asked is known.
        if !receivedAny, error.code == .connectionFailed, kv_ssl_certificate_was_requested(ssl) != 0 {
            if let certFile {
                return KVError(.tlsFailed, "the server refused the client certificate \(certFile) (is it issued by a CA the server trusts?): it asked for one and closed the connection (\(error.message))", node: node)
            }
            return KVError(.tlsFailed, "the server requires a client certificate (set certFile and keyFile): it asked for one and closed the connection (\(error.message))", node: node)
        }
        return error
    }

    private func describeSessionError(_ result: Int32) -> KVError {
        let code = SSL_get_error(ssl, result)
        let savedErrno = errno
        switch code {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            ERR_clear_error()
            return socket.ioError(EAGAIN)
        case SSL_ERROR_ZERO_RETURN:
            ERR_clear_error()
            return KVError(.connectionFailed, "the server closed the TLS session", node: node)
        case SSL_ERROR_SYSCALL:
            ERR_clear_error()
            if savedErrno == EAGAIN || savedErrno == EWOULDBLOCK { return socket.ioError(EAGAIN) }
            return KVError(.connectionFailed, savedErrno == 0 ? "the server closed the connection" : String(cString: strerror(savedErrno)), node: node)
        default:
            let reason = Self.openSSLError()
            if reason.contains("certificate required") {
                return KVError(.tlsFailed, "the server requires a client certificate (set certFile and keyFile): \(reason)", node: node)
            }
            return KVError(.tlsFailed, reason, node: node)
        }
    }

    /// Why the handshake failed, in the terms a user can act on.
    private func handshakeError(_ result: Int32, name: String, configuration: KVTLSConfiguration) -> KVError {
        let verify = SSL_get_verify_result(ssl)
        if verify != Int(X509_V_OK) {
            ERR_clear_error()
            let detail = String(cString: X509_verify_cert_error_string(verify))
            let trust = configuration.caFile.map { "caFile \($0)" } ?? "the system trust store"
            let message: String = switch Int32(verify) {
            case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
                "the server's certificate does not name \(name) (set serverName to the name it was issued for): \(detail)"
            case X509_V_ERR_CERT_HAS_EXPIRED:
                "the server's certificate has expired: \(detail)"
            case X509_V_ERR_CERT_NOT_YET_VALID:
                "the server's certificate is not valid yet: \(detail)"
            case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
                 X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
                "the server's certificate is not trusted by \(trust): \(detail)"
            default:
                "the server's certificate failed verification: \(detail)"
            }
            return KVError(.tlsFailed, message, node: node)
        }
        let error = sessionError(result)
        guard error.code == .connectionFailed || error.code == .tlsFailed else { return error }
        if error.message.contains("wrong version number") || error.message.contains("packet length too long") {
            return KVError(.tlsFailed, "the server does not speak TLS on this port: \(error.message)", node: node)
        }
        return KVError(.tlsFailed, "the TLS handshake failed: \(error.message)", node: node)
    }

    /// The oldest queued OpenSSL error's reason, and the queue cleared.
    static func openSSLError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        kv_ssl_error_text(&buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "unknown TLS error" : text
    }

    static func isIPAddress(_ name: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }
}
