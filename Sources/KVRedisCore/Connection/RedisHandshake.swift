import KVCore
import KVRedisConfiguration

extension RedisConnectionConfiguration {
    /// The commands sent right after connecting, in order.
    package var handshake: [RedisCommand] {
        var commands: [RedisCommand] = []
        let settings = settings
        if let password = settings.password {
            commands.append(settings.user.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password))
        }
        if settings.database != 0 { commands.append(RedisCommand("SELECT", String(settings.database))) }
        if let clientName = settings.clientName { commands.append(RedisCommand("CLIENT", "SETNAME", clientName)) }
        if readOnly { commands.append(RedisCommand("READONLY")) }
        // Over TLS 1.3 a server that requires a client certificate says so only after the handshake: one
        // round trip at connect time makes that a connect error, not the first command's.
        if settings.tls != nil && commands.isEmpty { commands.append(RedisCommand("PING")) }
        return commands
    }
}
