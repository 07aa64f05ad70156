import KVCore
import KVFileConfiguration
import Testing

/// Configuration files keep every scalar's text, refuse duplicate keys, and never echo their text in errors.
@Suite struct ConfigurationFileTests {
    @Test func yamlScalarsKeepTheirText() throws {
        let text = """
            store: redis://127.0.0.1:6379
            options:
              password: 0123
              clientName: 1:30
              user: 0x1F
              sentinelUser: on
              sentinelPassword: ~
              readFrom: 1e2
              note: "quoted: yes"
            """
        let options = try KVConfigurationFile(text).options
        #expect(options["password"] == "0123")
        #expect(options["clientName"] == "1:30")
        #expect(options["user"] == "0x1F")
        #expect(options["sentinelUser"] == "on")
        #expect(options["sentinelPassword"] == "~")
        #expect(options["readFrom"] == "1e2")
        #expect(options["note"] == "quoted: yes")
        let configuration = try KVConfiguration.parse(text)
        #expect(configuration.string("password") == "0123")
    }

    @Test func jsonScalarsKeepTheirTextToo() throws {
        let file = try KVConfigurationFile(#"{"store": "redis://h:1", "options": {"password": "0123", "poolSize": 4, "commandTimeout": 1e0, "readOnly": true}}"#)
        #expect(file.options == ["password": "0123", "poolSize": "4", "commandTimeout": "1e0", "readOnly": "true"])
        let tabs = try KVConfigurationFile("{\n\t\"store\": \"memory://\",\n\t\"options\": {}\n}")
        #expect(tabs.store == "memory://")
    }

    @Test func typedOptionsAreReadByTheirDeclaredType() throws {
        let configuration = try KVConfiguration.parse("store: redis://h:1\noptions:\n  poolSize: 0x1F\n  readOnly: on\n  commandTimeout: 1:30\n")
        #expect(throws: KVError.self) { _ = try configuration.int("poolSize") }
        #expect(try configuration.bool("readOnly") == true)
        #expect(throws: KVError.self) { _ = try configuration.duration("commandTimeout") }
    }

    @Test(arguments: [
        "store: redis://a:1\nstore: redis://b:1\n",
        "store: redis://a:1\noptions:\n  password: one\n  password: two\n",
        #"{"store": "redis://a:1", "store": "redis://b:1"}"#,
        #"{"store": "redis://a:1", "options": {"poolSize": 1, "poolSize": 2}}"#,
    ])
    func aKeyGivenTwiceIsAnError(_ text: String) {
        #expect {
            _ = try KVConfigurationFile(text)
        } throws: { error in
            let message = "\(error)"
            return (error as? KVError)?.code == .invalidConfiguration && message.contains("given twice") && message.contains("line")
        }
    }

    @Test(arguments: [
        "store: redis://a:1\noptions:\n  password: Se:cret: [oops\n",
        "store: redis://a:1\noptions:\n  password: 'Secret\n",
        "store: redis://a:1\noptions: {password: Secret\n",
        "{\"store\": \"redis://a:1\", \"options\": {\"password\": \"Secret\",}\n",
    ])
    func syntaxErrorsGiveThePositionNotTheText(_ text: String) {
        #expect {
            _ = try KVConfigurationFile(text, source: "kv.yaml")
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("invalid configuration: kv.yaml") && !message.contains("cret")
        }
    }

    @Test func optionValuesMustBeScalars() {
        #expect(throws: KVError.self) { _ = try KVConfigurationFile("store: memory://\noptions:\n  password: [a, b]\n") }
        #expect(throws: KVError.self) { _ = try KVConfigurationFile("store: [memory://]\n") }
        #expect(throws: KVError.self) { _ = try KVConfigurationFile("store:\n") }
    }
}
