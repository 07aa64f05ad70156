public import Foundation
import KVCore

/// Certificates for TLS tests, made with the `openssl` command in a directory of their own: a CA, a server
/// certificate for `localhost` and `127.0.0.1`, a client certificate, a second CA nobody trusts with a server
/// certificate of its own, and a server certificate that has expired.
public final class TestTLS: Sendable {
    public let directory: URL
    public var caFile: String { path("ca.crt") }
    public var serverCertificate: String { path("server.crt") }
    public var serverKey: String { path("server.key") }
    public var clientCertificate: String { path("client.crt") }
    public var clientKey: String { path("client.key") }
    /// Signed by a CA the tests never trust.
    public var untrustedCertificate: String { path("untrusted.crt") }
    public var untrustedKey: String { path("untrusted.key") }
    /// Signed by the trusted CA, valid for no time at all.
    public var expiredCertificate: String { path("expired.crt") }

    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Makes every file; blocking (it runs `openssl` a dozen times), so call it off the cooperative pool.
    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kv-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(to: directory.appendingPathComponent("san.ext"), atomically: true, encoding: .utf8)
        try openssl(["genrsa", "-out", "ca.key", "2048"])
        try openssl(["req", "-x509", "-new", "-key", "ca.key", "-days", "30", "-subj", "/CN=kv-test-ca", "-out", "ca.crt"])
        try openssl(["genrsa", "-out", "other-ca.key", "2048"])
        try openssl(["req", "-x509", "-new", "-key", "other-ca.key", "-days", "30", "-subj", "/CN=kv-untrusted-ca", "-out", "other-ca.crt"])
        try issue("server", subject: "/CN=localhost", ca: "ca", days: "30")
        try issue("client", subject: "/CN=kv-client", ca: "ca", days: "30")
        try issue("untrusted", subject: "/CN=localhost", ca: "other-ca", days: "30")
        try issue("expired", subject: "/CN=localhost", ca: "ca", days: "0", key: "server")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    private func issue(_ name: String, subject: String, ca: String, days: String, key: String? = nil) throws {
        let keyName = key ?? name
        if key == nil { try openssl(["genrsa", "-out", "\(name).key", "2048"]) }
        try openssl(["req", "-new", "-key", "\(keyName).key", "-subj", subject, "-out", "\(name).csr"])
        try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).crt", "-CAkey", "\(ca).key", "-CAcreateserial", "-days", days,
                     "-extfile", "san.ext", "-out", "\(name).crt"])
    }

    private func openssl(_ arguments: [String]) throws {
        // In the certificates' directory: `sh` changes to it ($0) and runs openssl with the arguments ($@).
        let result = try Subprocess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "cd \"$0\" && exec openssl \"$@\"", directory.path] + arguments)
        guard result.status == 0 else {
            throw KVError(.connectionFailed, "openssl \(arguments.joined(separator: " ")) failed (exit \(result.status)): \(result.stderr.prefix(500))")
        }
    }

    /// redis-server arguments for a TLS port beside the plaintext one, serving `certificate`.
    public func serverArguments(port: Int, requireClientCertificates: Bool = false, certificate: String? = nil, key: String? = nil) -> [String] {
        ["--tls-port", "\(port)", "--tls-cert-file", certificate ?? serverCertificate, "--tls-key-file", key ?? serverKey,
         "--tls-ca-cert-file", caFile, "--tls-auth-clients", requireClientCertificates ? "yes" : "no"]
    }

    /// The options of a store URL that trusts this CA (`&`-joined, without the leading `?`).
    public var trustQuery: String { "caFile=\(caFile)" }
}
