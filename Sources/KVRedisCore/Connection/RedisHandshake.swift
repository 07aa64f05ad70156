import KVCore

extension RedisConnectionConfiguration {
    /// The commands sent right after connecting, in order.
    package var handshake: [RedisCommand] {
        var commands: [RedisCommand] = []
        if let password {
            commands.append(user.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password))
        }
        if database != 0 { commands.append(RedisCommand("SELECT", String(database))) }
        if let clientName { commands.append(RedisCommand("CLIENT", "SETNAME", clientName)) }
        if readOnly { commands.append(RedisCommand("READONLY")) }
        // Over TLS 1.3 a server that requires a client certificate says so only after the handshake: one
        // round trip at connect time makes that a connect error, not the first command's.
        if tls != nil && commands.isEmpty { commands.append(RedisCommand("PING")) }
        return commands
    }
}
