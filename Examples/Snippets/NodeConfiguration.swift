// Samples from docs/configuration.md: Redis-based stores configured in code.
#if Redis
import Foundation
import KV
import KVCluster
import KVRedis
import KVRedisConfiguration
import KVRing

func redisInCode() -> KVRedisStore {
    let node = KVRedisNodeConfiguration(
        database: 2, clientName: "api", commandTimeout: .milliseconds(500), tls: KVTLSConfiguration(caFile: "/etc/ssl/redis-ca.pem"))
    return KVRedisStore(options: .init(endpoint: KVEndpoint(host: "cache.internal", port: 6380), node: node))
}

func ringInCode() throws -> KVRingStore {
    var node = KVRedisNodeConfiguration(clientName: "api", commandTimeout: .milliseconds(500))
    node.password = ProcessInfo.processInfo.environment["REDIS_PASSWORD"]
    let shards = [try KVRingShard(name: "a", address: "10.0.0.1:6379"), try KVRingShard(name: "b", address: "10.0.0.2:6379")]
    return try KVRingStore(options: .init(shards: shards, node: node, hash: KVJumpConsistentHash()))
}

func clusterInCode(_ node: KVRedisNodeConfiguration) async throws -> KVClusterStore {
    let cluster = KVClusterStore(options: .init(seeds: [KVEndpoint(host: "10.0.0.1", port: 7000)], node: node, readFrom: .replicaPreferred))
    try await cluster.start()
    return cluster
}
#endif
