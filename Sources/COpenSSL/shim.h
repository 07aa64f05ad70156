#ifndef KV_COPENSSL_SHIM_H
#define KV_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

/* Macros Swift cannot call. */
static inline int kv_ssl_ctx_min_tls12(SSL_CTX *ctx) { return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION); }
static inline int kv_ssl_set_sni(SSL *ssl, const char *name) { return (int)SSL_set_tlsext_host_name(ssl, name); }
static inline void kv_ssl_ctx_no_renegotiation(SSL_CTX *ctx) { SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION); }

/* Called by OpenSSL on the client whenever the server asks for a client certificate (with or without one
   configured): remembers that it asked, in the session's app data, and goes on with the configured certificate
   or none. A connection the server breaks right after the handshake can then be told apart: it wanted a
   certificate and refused the one it got, or got none. */
static int kv_note_certificate_request(SSL *ssl, void *argument) {
    (void)argument;
    SSL_set_app_data(ssl, (char *)1);
    return 1;
}
static inline void kv_ssl_ctx_note_certificate_requests(SSL_CTX *ctx) { SSL_CTX_set_cert_cb(ctx, kv_note_certificate_request, NULL); }
static inline int kv_ssl_certificate_was_requested(const SSL *ssl) { return SSL_get_app_data(ssl) != NULL; }

/* The reason of the oldest queued OpenSSL error as text (empty when none), and the queue cleared. */
static inline void kv_ssl_error_text(char *buffer, size_t length) {
    unsigned long code = ERR_get_error();
    buffer[0] = 0;
    if (code != 0) {
        const char *reason = ERR_reason_error_string(code);
        snprintf(buffer, length, "%s", reason ? reason : "unknown error");
    }
    ERR_clear_error();
}

#endif
