/// TLS for connections to Redis nodes: whom to trust, which client certificate to present, and which name to check.
///
/// Verification is on by default: the server's certificate must chain to ``caFile`` (or the system trust store)
/// and name ``serverName`` (or the host connected to). ``insecure`` turns verification off, and is logged.
///
/// ```swift
/// var node = KVRedisNodeConfiguration()
/// node.tls = KVTLSConfiguration(caFile: "/etc/ssl/redis-ca.pem")
/// ```
public struct KVTLSConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// PEM file of the certificate authorities to trust; nil for the system trust store.
    public var caFile: String?
    /// PEM client certificate (chain), for servers that require one (mutual TLS); needs ``keyFile``.
    public var certFile: String?
    /// PEM private key of ``certFile``.
    public var keyFile: String?
    /// The name sent in SNI and checked in the certificate; nil for the host connected to.
    public var serverName: String?
    /// Skip certificate and name verification. Only for tests and trusted networks.
    public var insecure: Bool

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, serverName: String? = nil, insecure: Bool = false) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.insecure = insecure
    }

    /// The files and names (paths are not secrets; key material never appears here).
    public var description: String {
        var parts = ["tls"]
        if let caFile { parts.append("caFile=\(caFile)") }
        if let certFile { parts.append("certFile=\(certFile)") }
        if let keyFile { parts.append("keyFile=\(keyFile)") }
        if let serverName { parts.append("serverName=\(serverName)") }
        if insecure { parts.append("insecure") }
        return parts.joined(separator: " ")
    }
}
