import KVCore
import KVRedisConfiguration
import KVRedisCore
import Testing

/// One node configuration for every Redis-based store: its URL options, its defaults and its redaction.
@Suite struct NodeConfigurationTests {
    static let secret = "Pw7kq/Zr9tx?Mv3hb"

    @Test func everyURLOptionSetsItsField() throws {
        let configuration = try KVConfiguration(
            url: "redis://app:pw@127.0.0.1:6379",
            options: [
                "connectTimeout": "250ms", "commandTimeout": "1s", "idleCheckInterval": "5s", "clientName": "svc", "database": "3",
                "maxReplyElements": "4096", "maxReplyBytes": "65536", "poolSize": "4", "batchChunkSize": "50", "scanCount": "20",
            ])
        let node = try RedisOptions.node(configuration)
        #expect(node.user == "app" && node.password == "pw" && node.database == 3 && node.clientName == "svc")
        #expect(node.connectTimeout == .milliseconds(250) && node.commandTimeout == .seconds(1) && node.idleCheckInterval == .seconds(5))
        #expect(node.maxReplyElements == 4096 && node.maxReplyBytes == 65536)
        #expect(node.poolSize == 4 && node.batchChunkSize == 50 && node.scanCount == 20)
        #expect(node.tls == nil)
    }

    @Test func noOptionsGiveTheDefaults() throws {
        let node = try RedisOptions.node(try KVConfiguration(url: "cluster://127.0.0.1:7000"))
        #expect(node == KVRedisNodeConfiguration())
        #expect(node.poolSize == nil && node.batchChunkSize == 1000 && node.maxChunksInFlight == 8 && node.scanCount == 1000)
        #expect(node.commandTimeout == .seconds(2) && node.connectTimeout == .seconds(2))
    }

    @Test func theStoreChoosesThePoolSizeOnlyWhenTheConfigurationDoesNot() {
        let endpoint = KVEndpoint(host: "127.0.0.1", port: 6379)
        #expect(RedisNodeOptions(connection: RedisConnectionConfiguration(endpoint: endpoint), defaultPoolSize: 2).poolSize == 2)
        var node = KVRedisNodeConfiguration()
        node.poolSize = 5
        #expect(RedisNodeOptions(connection: RedisConnectionConfiguration(endpoint: endpoint, settings: node), defaultPoolSize: 1).poolSize == 5)
    }

    @Test(arguments: [
        ["poolSize": "0"], ["batchChunkSize": "0"], ["scanCount": "-1"], ["clientName": "a b"], ["commandTimeout": "soon"],
        ["caFile": "/ca.pem"], ["tls": "true", "certFile": "/cert.pem"],
    ])
    func invalidOptionsAreRefusedByName(_ options: [String: String]) throws {
        let configuration = try KVConfiguration(url: "redis://127.0.0.1:6379", options: options)
        do {
            _ = try RedisOptions.node(configuration)
            Issue.record("accepted \(options)")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(options.keys.contains { error.message.contains($0) }, "\(error.message)")
        }
    }

    @Test func descriptionsAndMirrorsHideThePassword() {
        var node = KVRedisNodeConfiguration(user: "u", password: Self.secret, clientName: "c")
        node.tls = KVTLSConfiguration(serverName: "cache.internal")
        var dumped = ""
        dump(node, to: &dumped)
        let connection = RedisConnectionConfiguration(endpoint: KVEndpoint(host: "127.0.0.1", port: 6379), settings: node)
        dump(connection, to: &dumped)
        for text in ["\(node)", String(reflecting: node), String(reflecting: connection), dumped] {
            #expect(!text.contains("Pw7kq"), "\(text)")
        }
        #expect("\(node)".contains("password=***") && "\(node)".contains("serverName=cache.internal"))
    }
}
