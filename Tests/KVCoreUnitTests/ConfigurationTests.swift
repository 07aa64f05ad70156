import Foundation
import KVCore
import KVFileConfiguration
import KVMemory
import Testing

@Suite struct StoreURLTests {
    @Test func redisURLWithCredentialsAndDatabase() throws {
        let url = try KVStoreURL("redis://app:s%40cret@127.0.0.1:6380/2?commandTimeout=250ms")
        #expect(url.scheme == "redis")
        #expect(url.user == "app")
        #expect(url.password == "s@cret")
        #expect(url.hosts == ["127.0.0.1:6380"])
        #expect(url.path == "2")
        #expect(url.query == ["commandTimeout": "250ms"])
        #expect(!url.description.contains("cret"), "the password is hidden")
    }

    @Test func passwordOnly() throws {
        let url = try KVStoreURL("redis://:pw@localhost:6379")
        #expect(url.user == nil)
        #expect(url.password == "pw")
    }

    @Test func ringURLWithNamedShards() throws {
        let url = try KVStoreURL("ring://shard1=127.0.0.1:7000,shard2=127.0.0.1:7001?hash=jump")
        #expect(url.hosts == ["shard1=127.0.0.1:7000", "shard2=127.0.0.1:7001"])
        #expect(url.query["hash"] == "jump")
    }

    @Test func memoryURL() throws {
        let url = try KVStoreURL("memory://?maxEntries=10")
        #expect(url.hosts.isEmpty)
        #expect(url.query["maxEntries"] == "10")
        #expect(KVConfiguration.memory.url == (try KVStoreURL("memory://")), "the default configuration is the parsed memory:// URL")
    }

    @Test(arguments: ["redis", "127.0.0.1:6379", "://x", "redis://a,,b", "red is://x", "redis://%zz@h:1"])
    func badURLsAreInvalidConfiguration(_ text: String) {
        #expect(throws: KVError.self) { try KVStoreURL(text) }
        do { _ = try KVStoreURL(text) } catch { #expect(error.code == .invalidConfiguration) }
    }

    @Test func endpoints() throws {
        #expect(try KVEndpoint(parsing: "127.0.0.1:6379") == KVEndpoint(host: "127.0.0.1", port: 6379))
        #expect(try KVEndpoint(parsing: "[::1]:7000") == KVEndpoint(host: "::1", port: 7000))
        #expect(try KVEndpoint(parsing: "localhost", defaultPort: 6379).port == 6379)
        #expect(try KVEndpoint(parsing: "[::1]:7000").description == "[::1]:7000")
        #expect(throws: KVError.self) { try KVEndpoint(parsing: "host:99999") }
        #expect(throws: KVError.self) { try KVEndpoint(parsing: "host") }
        #expect(throws: KVError.self) { try KVEndpoint(parsing: ":80") }
    }
}

@Suite struct ConfigurationTests {
    @Test func explicitOptionsWinOverTheQuery() throws {
        let config = try KVConfiguration(url: "memory://?maxEntries=5", options: ["maxEntries": "7", "maxBytes": "100"])
        #expect(config.options == ["maxEntries": "7", "maxBytes": "100"])
        #expect(try config.int("maxEntries") == 7)
    }

    @Test func yamlFile() throws {
        let config = try KVConfiguration.parse("""
            store: redis://127.0.0.1:6379/1
            options:
              commandTimeout: 2
              clientName: api
            """)
        #expect(config.scheme == "redis")
        #expect(config.options["commandTimeout"] == "2")
        #expect(try config.duration("commandTimeout") == .seconds(2))
    }

    @Test func jsonFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kv-\(UUID()).json").path
        try #"{"store": "memory://", "options": {"maxEntries": 3}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try KVConfiguration.load(file: path)
        #expect(config.scheme == "memory")
        #expect(try config.int("maxEntries") == 3)
    }

    @Test func badFilesSayWhatIsWrong() {
        for (text, fragment) in [("store: 3", "store"), ("{\"store\": \"memory://\", \"extra\": 1}", "unknown fields"), ("- a\n- b", "mapping")] {
            do {
                _ = try KVConfiguration.parse(text)
                Issue.record("parsed \(text)")
            } catch {
                #expect(error.code == .invalidConfiguration)
                #expect(error.message.contains(fragment), "\(error.message)")
            }
        }
        #expect(throws: KVError.self) { try KVConfiguration.load(file: "/nonexistent/kv.yaml") }
    }

    @Test func environmentPrecedence() throws {
        #expect(try KVConfiguration.resolve(environment: [:]).scheme == "memory")
        #expect(try KVConfiguration.resolve(environment: ["KV_STORE": "redis://h:1"]).scheme == "redis")
        #expect(try KVConfiguration.resolve(url: "memory://", environment: ["KV_STORE": "redis://h:1"]).scheme == "memory")
    }

    @Test func durations() {
        #expect(KVConfiguration.parseDuration("1.5") == .milliseconds(1500))
        #expect(KVConfiguration.parseDuration("250ms") == .milliseconds(250))
        #expect(KVConfiguration.parseDuration("2s") == .seconds(2))
        #expect(KVConfiguration.parseDuration("1m") == .seconds(60))
        #expect(KVConfiguration.parseDuration("soon") == nil)
    }

    @Test func registryListsKnownSchemesAndOptions() async throws {
        let registry = KVBackendRegistry([KVMemoryBackend()])
        do {
            _ = try await registry.open(try KVConfiguration(url: "nosuch://x"))
            Issue.record("opened an unknown scheme")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("memory://"), "\(error.message)")
        }
        do {
            _ = try await registry.open(try KVConfiguration(url: "memory://?maxEntrys=3"))
            Issue.record("accepted an unknown option")
        } catch {
            #expect(error.message.contains("maxEntries"), "lists the known options: \(error.message)")
        }
        do {
            _ = try await registry.open(try KVConfiguration(url: "memory://?maxEntries=-1"))
            Issue.record("accepted a negative limit")
        } catch {
            #expect(error.code == .invalidConfiguration)
        }
        let store = try await registry.open(try KVConfiguration(url: "memory://?maxEntries=2"))
        for key in ["a", "b", "c"] { try await store.set(key, [1]) }
        #expect(try await store.list().collect().count == 2)
    }
}

/// Every numeric input at its extremes: a typed error naming the range, never a trap.
@Suite struct ExtremeValueTests {
    static let extremes: [Double] = [0, -1, .nan, .infinity, -.infinity, 1e300, Double(Int64.max), 9.3e9, 1e10]

    @Test(arguments: extremes)
    func secondsOutsideTheRangeAreRefused(_ value: Double) {
        #expect(Duration.checkedSeconds(value, in: 0.001...KVLimits.maxTTLSeconds) == nil)
    }

    @Test func durationsAtTheirExtremesConvertWithoutTrapping() {
        #expect(Duration.seconds(Int64.max).roundedUpMilliseconds == .max)
        #expect(Duration.seconds(Int64.min).truncatedMilliseconds == .min)
        #expect(Duration.checkedSeconds(1.5, in: 0...10) == .milliseconds(1500))
    }

    @Test(arguments: [Duration.seconds(Int64.max), .seconds(Int64(KVLimits.maxTTLSeconds) + 1), .seconds(1e10)])
    func aTTLBeyondOneHundredYearsIsAnInvalidArgument(_ ttl: Duration) {
        #expect(throws: KVError.self) { try KVSetOptions(ttl: ttl).ttlMilliseconds() }
        do { _ = try KVSetOptions(ttl: ttl).ttlMilliseconds() } catch { #expect(error.code == .invalidArgument && error.message.contains("100 years")) }
    }

    @Test func theLongestTTLIsAccepted() throws {
        #expect(try KVSetOptions(ttl: .seconds(Int64(KVLimits.maxTTLSeconds))).ttlMilliseconds() == Int64(KVLimits.maxTTLSeconds) * 1000)
    }

    @Test(arguments: ["1e10", "1e300", "nan", "inf", "-1", "0", "9223372036854775807", "1e20ms"])
    func durationOptionsOutOfRangeAreConfigurationErrors(_ text: String) throws {
        let configuration = try KVConfiguration(url: "redis://127.0.0.1:6379", options: ["commandTimeout": text])
        do {
            _ = try configuration.duration("commandTimeout")
            Issue.record("commandTimeout=\(text) was accepted")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("one day"))
        }
    }
}
