import COpenSSL
import KVCore
import KVRedisConfiguration
import Synchronization

/// OpenSSL client contexts (`SSL_CTX`), one per distinct TLS configuration, built once: loading a CA file and
/// a client certificate for every connection would cost more than the handshake. An `SSL_CTX` may be shared
/// by threads once built; each connection makes its own `SSL` from it.
enum RedisTLSContexts {
    /// A built context; the pointer lives as long as the process (at most ``maxContexts`` are kept).
    final class Context: Sendable {
        // nonisolated(unsafe): an SSL_CTX is only read after it is built (OpenSSL makes SSL_new on a shared,
        // configured SSL_CTX thread-safe), and it is never freed.
        nonisolated(unsafe) let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
    }

    static let maxContexts = 64
    private static let cache = Mutex<[KVTLSConfiguration: Context]>([:])

    static func context(for configuration: KVTLSConfiguration, node: String) throws(KVError) -> Context {
        if let context = cache.withLock({ $0[configuration] }) { return context }
        let context = try build(configuration, node: node)
        return try cache.withLock { (cache) throws(KVError) -> Context in
            if let existing = cache[configuration] { return existing }
            guard cache.count < maxContexts else {
                throw KVError(.invalidConfiguration, "more than \(maxContexts) different TLS configurations in one process", node: node)
            }
            cache[configuration] = context
            return context
        }
    }

    private static func build(_ configuration: KVTLSConfiguration, node: String) throws(KVError) -> Context {
        func failure(_ what: String) -> KVError {
            KVError(.tlsFailed, "\(what): \(RedisTLSStream.openSSLError())", node: node)
        }
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw failure("cannot create a TLS context") }
        _ = kv_ssl_ctx_min_tls12(context)
        kv_ssl_ctx_no_renegotiation(context)
        if let caFile = configuration.caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                SSL_CTX_free(context)
                throw failure("cannot read caFile \(caFile)")
            }
        } else if SSL_CTX_set_default_verify_paths(context) != 1 {
            SSL_CTX_free(context)
            throw failure("cannot load the system trust store")
        }
        kv_ssl_ctx_note_certificate_requests(context)
        switch (configuration.certFile, configuration.keyFile) {
        case (nil, nil): break
        case (let certFile?, let keyFile?):
            guard SSL_CTX_use_certificate_chain_file(context, certFile) == 1 else {
                SSL_CTX_free(context)
                throw failure("cannot read certFile \(certFile)")
            }
            // The message names the file, never its content.
            guard SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1, SSL_CTX_check_private_key(context) == 1 else {
                SSL_CTX_free(context)
                throw failure("cannot use keyFile \(keyFile) with certFile \(certFile)")
            }
        default:
            SSL_CTX_free(context)
            throw KVError(.invalidConfiguration, "certFile and keyFile go together (a client certificate needs its key)", node: node)
        }
        SSL_CTX_set_verify(context, configuration.insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nil)
        return Context(context)
    }
}
