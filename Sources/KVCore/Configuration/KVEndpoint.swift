/// A `host:port` address. IPv6 hosts are written in brackets: `[::1]:6379`.
public struct KVEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `host` (with `defaultPort`), or `[v6]:port`.
    public init(parsing text: String, defaultPort: Int? = nil) throws(KVError) {
        var hostPart = Substring(text)
        var portPart: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .invalidConfiguration("bad address \(KVError.render(text)): unclosed [") }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty {
                throw .invalidConfiguration("bad address \(KVError.render(text))")
            }
        } else if let colon = text.lastIndex(of: ":") {
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw .invalidConfiguration("address \(KVError.render(text)) has no host") }
        let port: Int
        if let portPart {
            guard let value = Int(portPart), (1...65535).contains(value) else {
                throw .invalidConfiguration("address \(KVError.render(text)) has an invalid port")
            }
            port = value
        } else if let defaultPort {
            port = defaultPort
        } else {
            throw .invalidConfiguration("address \(KVError.render(text)) needs a port (host:port)")
        }
        self.init(host: String(hostPart), port: port)
    }

    /// `host:port`, or `[host]:port` for an IPv6 address. (A byte scan: Foundation's `contains` on `String`
    /// costs microseconds, and errors and metrics name the node on every call.)
    public var description: String { host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
