import KVCore

/// What an error reply from a cluster node asks the client to do.
enum ClusterRedirect: Equatable {
    /// The slot lives elsewhere for good.
    case moved(slot: Int, to: KVEndpoint)
    /// Ask that node for this one query, after `ASKING`.
    case ask(slot: Int, to: KVEndpoint)
    /// A transient state (`TRYAGAIN`, `CLUSTERDOWN`, `LOADING`, `MASTERDOWN`): wait and retry.
    case retry(String)
    /// A `MOVED` or `ASK` whose slot, host or port is out of range: the server is broken or hostile.
    case malformed(String)

    /// Reads `-MOVED 3999 127.0.0.1:6381`, `-ASK …`, and the transient errors; nil for any other reply.
    /// Nothing in the reply is trusted: the slot must be 0…16383, the port 1…65535, the host at most 255 bytes.
    init?(_ message: String, currentHost: String) {
        let parts = message.split(separator: " ", omittingEmptySubsequences: false)
        guard let kind = parts.first else { return nil }
        switch kind {
        case "MOVED", "ASK":
            guard parts.count == 3, let slot = Int(parts[1]), (0..<KVClusterSlot.count).contains(slot) else {
                self = .malformed("a \(kind) redirect with no valid slot (0…16383): \(message.prefix(120))")
                return
            }
            let address = parts[2]
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port) else {
                self = .malformed("a \(kind) redirect with no valid port (1…65535): \(message.prefix(120))")
                return
            }
            var host = String(address[..<colon])
            if host.isEmpty { host = currentHost }
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard host.utf8.count <= 255, !host.contains(where: { $0.isWhitespace || $0.isNewline }) else {
                self = .malformed("a \(kind) redirect with no valid host: \(message.prefix(120))")
                return
            }
            let target = KVEndpoint(host: host, port: port)
            self = kind == "MOVED" ? .moved(slot: slot, to: target) : .ask(slot: slot, to: target)
        case "TRYAGAIN", "CLUSTERDOWN", "LOADING", "MASTERDOWN":
            self = .retry(String(kind))
        default:
            return nil
        }
    }
}
