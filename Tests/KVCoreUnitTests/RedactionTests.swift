import Foundation
import KVCore
import Testing

/// One redaction rule: passwords and secret options never show in descriptions, mirrors or parse errors.
@Suite struct RedactionTests {
    static let secret = "Pw7kq/Zr9tx?Mv3hb"

    @Test func anUnencodedPasswordWithSlashAndQuestionMarkIsUserinfo() throws {
        let url = try KVStoreURL("redis://app:\(Self.secret)@127.0.0.1:6380/2?clientName=a")
        #expect(url.user == "app")
        #expect(url.password == Self.secret)
        #expect(url.hosts == ["127.0.0.1:6380"])
        #expect(url.path == "2")
        #expect(url.query == ["clientName": "a"])
    }

    @Test func anAtSignInAQueryValueStaysInTheQuery() throws {
        let url = try KVStoreURL("redis://127.0.0.1:6379/0?clientName=svc@host")
        #expect(url.user == nil && url.password == nil)
        #expect(url.hosts == ["127.0.0.1:6379"])
        #expect(url.query["clientName"] == "svc@host")
    }

    @Test func descriptionsAndMirrorsHideEverySecret() throws {
        let configuration = try KVConfiguration(
            url: "redis://u:\(Self.secret)@127.0.0.1:6379?password=\(Self.secret.replacingOccurrences(of: "/", with: "%2F").replacingOccurrences(of: "?", with: "%3F"))&clientName=c",
            options: ["sentinelPassword": Self.secret, "authToken": Self.secret, "poolSize": "4"])
        var dumped = ""
        dump(configuration, to: &dumped)
        dump(configuration.url, to: &dumped)
        for text in [configuration.description, configuration.url.description, dumped] {
            #expect(!text.contains("Pw7kq"), "\(text)")
        }
        #expect(configuration.description.contains("poolSize=4"))
        #expect(configuration.description.contains("sentinelPassword=***"))
        #expect(configuration.url.description.contains("clientName=c"))
    }

    @Test(arguments: [
        "redis://u:Se%ZZcret@127.0.0.1:6379", "redis://127.0.0.1:6379?password=Se%ZZcret", "redis:/u:Se%ZZcret@host",
        "redis://u:Se%ZZcret@a,,b", "re dis://u:Se%ZZcret@host", "redis://u:Se%ZZcret@host?token=Se%ZZcret",
    ])
    func parseErrorsNeverEchoTheSecret(_ text: String) {
        #expect {
            _ = try KVConfiguration(url: text)
        } throws: { error in
            let message = "\(error)"
            return (error as? KVError)?.code == .invalidConfiguration && !message.contains("ZZcret") && !message.contains("Se%")
        }
    }

    @Test func secretOptionNames() {
        for name in ["password", "sentinelPassword", "PASSWORD", "authToken", "clientSecret", "apiKey", "privateKey", "auth"] {
            #expect(KVRedaction.isSecret(option: name), "\(name)")
        }
        for name in ["user", "clientName", "commandTimeout", "caFile", "certFile", "keyFile", "serverName", "database"] {
            #expect(!KVRedaction.isSecret(option: name), "\(name)")
        }
    }

    @Test func urlTextForErrors() {
        #expect(KVRedaction.redactURLText("redis://u:p/w@127.0.0.1:6379?password=x&db=1") == "redis://***@127.0.0.1:6379?password=***&db=1")
        #expect(KVRedaction.redactURLText("memory://") == "memory://")
    }
}
