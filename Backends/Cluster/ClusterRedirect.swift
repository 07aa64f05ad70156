import KVCore

/// What an error reply from a cluster node asks the client to do.
enum ClusterRedirect: Equatable {
    /// The slot lives elsewhere for good.
    case moved(slot: Int, to: KVEndpoint)
    /// Ask that node for this one query, after `ASKING`.
    case ask(slot: Int, to: KVEndpoint)
    /// A transient state (`TRYAGAIN`, `CLUSTERDOWN`, `LOADING`, `MASTERDOWN`): wait and retry.
    case retry(String)

    /// Reads `-MOVED 3999 127.0.0.1:6381`, `-ASK …`, and the transient errors; nil for any other reply.
    init?(_ message: String, currentHost: String) {
        let parts = message.split(separator: " ")
        guard let kind = parts.first else { return nil }
        switch kind {
        case "MOVED", "ASK":
            guard parts.count >= 3, let slot = Int(parts[1]) else { return nil }
            let address = String(parts[2])
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else { return nil }
            var host = String(address[..<colon])
            if host.isEmpty { host = currentHost }
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            let target = KVEndpoint(host: host, port: port)
            self = kind == "MOVED" ? .moved(slot: slot, to: target) : .ask(slot: slot, to: target)
        case "TRYAGAIN", "CLUSTERDOWN", "LOADING", "MASTERDOWN":
            self = .retry(String(kind))
        default:
            return nil
        }
    }
}
