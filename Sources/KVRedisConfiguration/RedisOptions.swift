#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
package import KVCore
package import Logging

/// The options every Redis-based backend reads from a configuration.
package enum RedisOptions {
    package static let connection: [KVOptionInfo] = [
        KVOptionInfo("connectTimeout", "bound on connecting, e.g. 2s or 500ms (default 2s)"),
        KVOptionInfo("commandTimeout", "bound on each command's reply (default 2s)"),
        KVOptionInfo("idleCheckInterval", "PING a connection idle this long before reuse (default 30s)"),
        KVOptionInfo("maxReplyElements", "most elements a reply's array may announce (default 1048576)"),
        KVOptionInfo("maxReplyBytes", "most bytes a reply's string may announce (default 536870912)"),
        KVOptionInfo("clientName", "CLIENT SETNAME for every connection"),
        KVOptionInfo("user", "ACL user (also from the URL)"),
        KVOptionInfo("password", "password (also from the URL)"),
        KVOptionInfo("database", "SELECT this database (also the URL path)"),
        KVOptionInfo("poolSize", "connections per node, each with its own thread (default 2; ring and cluster 1 per node)"),
        KVOptionInfo("tls", "true: speak TLS to every node (rediss:// implies it)"),
        KVOptionInfo("caFile", "PEM certificate authorities to trust (default: the system trust store)"),
        KVOptionInfo("certFile", "PEM client certificate, for mutual TLS (with keyFile)"),
        KVOptionInfo("keyFile", "PEM private key of certFile"),
        KVOptionInfo("serverName", "name for SNI and certificate verification (default: the host)"),
        KVOptionInfo("insecure", "true: skip certificate verification (logged)"),
    ]

    /// The near cache's options (docs/near-cache.md).
    package static let nearCache: [KVOptionInfo] = [
        KVOptionInfo("nearCache", "on: keep hot values in memory, invalidated by the server (default off)"),
        KVOptionInfo("nearCacheMaxBytes", "memory for one node's entries, keys and bookkeeping counted (default 67108864)"),
        KVOptionInfo("nearCacheMaxAge", "longest an entry is served from memory (default 60s)"),
        KVOptionInfo("nearCachePrefixes", "comma-separated key prefixes to cache, each write under them reported (default: every key, only the keys read reported)"),
    ]

    package static let store: [KVOptionInfo] = [
        KVOptionInfo("batchChunkSize", "commands per pipeline in batches (default 1000)"),
        KVOptionInfo("scanCount", "COUNT hint for SCAN in list (default 1000)"),
    ]

    /// The node settings of `configuration`: every option of ``connection`` and ``store``.
    package static func node(_ configuration: KVConfiguration) throws(KVError) -> KVRedisNodeConfiguration {
        var node = KVRedisNodeConfiguration()
        node.user = configuration.string("user") ?? configuration.url.user
        node.password = configuration.string("password") ?? configuration.url.password
        if let database = try configuration.int("database", in: 0...65535) { node.database = database }
        if let name = configuration.string("clientName") {
            guard !name.contains(where: { $0 == " " || $0.isNewline }) else {
                throw .invalidConfiguration("clientName must not contain spaces or newlines")
            }
            node.clientName = name
        }
        if let timeout = try configuration.duration("connectTimeout") { node.connectTimeout = timeout }
        if let timeout = try configuration.duration("commandTimeout") { node.commandTimeout = timeout }
        if let interval = try configuration.duration("idleCheckInterval") { node.idleCheckInterval = interval }
        if let count = try configuration.int("maxReplyElements", in: 1024...Int(Int32.max)) { node.maxReplyElements = count }
        if let bytes = try configuration.int("maxReplyBytes", in: 1024...Int(Int32.max)) { node.maxReplyBytes = bytes }
        node.tls = try tls(configuration)
        if let size = try configuration.int("poolSize", in: 1...256) { node.poolSize = size }
        if let size = try configuration.int("batchChunkSize", in: 1...100_000) { node.batchChunkSize = size }
        if let count = try configuration.int("scanCount", in: 1...1_000_000) { node.scanCount = count }
        node.nearCache = try nearCache(configuration)
        return node
    }

    /// `nearCache=on` and its bounds; the bounds without it are refused, as are overlapping prefixes (the
    /// server refuses them too).
    package static func nearCache(_ configuration: KVConfiguration) throws(KVError) -> KVRedisNearCacheConfiguration? {
        let names = ["nearCacheMaxBytes", "nearCacheMaxAge", "nearCachePrefixes"]
        let enabled: Bool
        switch configuration.string("nearCache")?.lowercased() {
        case nil, "off", "false": enabled = false
        case "on", "true": enabled = true
        case let other?: throw .invalidConfiguration("option nearCache must be on or off, got \(KVError.render(other))")
        }
        guard enabled else {
            if let name = names.first(where: { configuration.options[$0] != nil }) {
                throw .invalidConfiguration("option \(name) needs nearCache=on")
            }
            return nil
        }
        var cache = KVRedisNearCacheConfiguration()
        if let bytes = try configuration.int("nearCacheMaxBytes", in: 65_536...(1 << 40)) { cache.maxBytes = bytes }
        if let age = try configuration.duration("nearCacheMaxAge") {
            guard age > .zero else { throw .invalidConfiguration("option nearCacheMaxAge must be positive") }
            cache.maxAge = age
        }
        if let text = configuration.string("nearCachePrefixes") {
            let prefixes = text.split(separator: ",").map(String.init)
            guard !prefixes.isEmpty, prefixes.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 1024 }), prefixes.count <= 64 else {
                throw .invalidConfiguration("option nearCachePrefixes must be 1 to 64 non-empty prefixes separated by commas")
            }
            for (index, prefix) in prefixes.enumerated() {
                if let other = prefixes[(index + 1)...].first(where: { $0.hasPrefix(prefix) || prefix.hasPrefix($0) }) {
                    throw .invalidConfiguration("option nearCachePrefixes: \(KVError.render(prefix)) and \(KVError.render(other)) overlap")
                }
            }
            cache.prefixes = prefixes
        }
        return cache
    }

    /// The TLS settings: on for `rediss://` or `tls=true`; the file and name options need TLS on.
    package static func tls(_ configuration: KVConfiguration) throws(KVError) -> KVTLSConfiguration? {
        let names = ["caFile", "certFile", "keyFile", "serverName", "insecure"]
        let enabled = try configuration.bool("tls") ?? (configuration.scheme == "rediss")
        guard enabled else {
            if let name = names.first(where: { configuration.options[$0] != nil }) {
                throw .invalidConfiguration("option \(name) needs TLS: use rediss:// or tls=true")
            }
            return nil
        }
        let tls = KVTLSConfiguration(
            caFile: configuration.string("caFile"), certFile: configuration.string("certFile"), keyFile: configuration.string("keyFile"),
            serverName: configuration.string("serverName"), insecure: try configuration.bool("insecure") ?? false)
        if (tls.certFile == nil) != (tls.keyFile == nil) {
            throw .invalidConfiguration("certFile and keyFile go together (a client certificate needs its key)")
        }
        if let serverName = tls.serverName, serverName.isEmpty || serverName.contains(where: { $0 == " " || $0.isNewline }) {
            throw .invalidConfiguration("serverName must be a host name or address, got \(KVError.render(serverName))")
        }
        for (name, path) in [("caFile", tls.caFile), ("certFile", tls.certFile), ("keyFile", tls.keyFile)] {
            guard let path else { continue }
            guard !path.isEmpty, access(path, R_OK) == 0 else {
                throw .invalidConfiguration("\(name) \(path) cannot be read")
            }
        }
        return tls
    }

    /// The options of stores with replicas that confirm writes.
    package static let confirmation: [KVOptionInfo] = [
        KVOptionInfo("waitReplicas", "confirm each write with WAIT n: it fails unless n replicas have it (default off)"),
        KVOptionInfo("waitTimeout", "how long WAIT waits for the replicas (default 1s)"),
    ]

    /// `waitReplicas` (1…16) and `waitTimeout`, when set.
    package static func confirmation(_ configuration: KVConfiguration) throws(KVError) -> KVWriteConfirmation? {
        guard let replicas = try configuration.int("waitReplicas", in: 1...16) else {
            if configuration.string("waitTimeout") != nil { throw .invalidConfiguration("option waitTimeout needs waitReplicas") }
            return nil
        }
        let timeout = try configuration.duration("waitTimeout") ?? .seconds(1)
        guard timeout > .zero else { throw .invalidConfiguration("option waitTimeout must be positive") }
        return KVWriteConfirmation(replicas: replicas, timeout: timeout)
    }

    /// Logs once per store that TLS verification is off.
    package static func warnIfInsecure(_ node: KVRedisNodeConfiguration, logger: Logger, store: String) {
        if node.tls?.insecure == true {
            logger.info("TLS certificate verification is off (insecure=true): the connection is encrypted but the server is not authenticated", metadata: ["store": "\(store)"])
        }
    }
}
