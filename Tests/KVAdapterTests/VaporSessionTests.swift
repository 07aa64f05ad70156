#if VaporSupport
import Foundation
import KV
import KVTestSupport
import KVVapor
import Testing
import VaporTesting

/// `app.sessions.use(.kv(store))`: a login, the cookie carried to later requests, a change, a logout, on the memory
/// store and on a real Redis; the session's key has the TTL and its id 256 random bits.
@Suite(.serialized) struct VaporSessionTests {
    static let stores = ["memory://", TestServers.redisArgument]

    @Test(arguments: stores) func loginCookieChangeLogout(url: String) async throws {
        try await withStore(url) { store, namespace in
            try await withApp(configure: { app in
                app.sessions.use(.kv(store, namespace: namespace, ttl: .seconds(600)))
                app.middleware.use(app.sessions.middleware)
                app.post("login", ":user") { req async throws -> String in
                    req.session.data["user"] = try req.parameters.require("user")
                    return "ok"
                }
                app.get("me") { req async throws -> String in req.session.data["user"] ?? "nobody" }
                app.post("rename", ":user") { req async throws -> String in
                    req.session.data["user"] = try req.parameters.require("user")
                    return "ok"
                }
                app.post("logout") { req async throws -> String in
                    req.session.destroy()
                    return "bye"
                }
            }) { app in
                var cookie: HTTPCookies.Value?
                try await app.testing().test(.POST, "login/ada") { response in
                    cookie = response.headers.setCookie?["vapor-session"]
                }
                let id = try #require(cookie?.string)
                #expect(id.count == 43 && id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "32 random bytes, base64url: \(id)")
                let stored = try #require(try await store.get(namespace + id))
                #expect(String(decoding: stored, as: UTF8.self).contains(#""user":"ada""#), "a JSON object")
                let ttl = try await store.ttl(namespace + id).remaining
                #expect(ttl.map { $0 > .seconds(590) && $0 <= .seconds(600) } == true, "the session's TTL: \(String(describing: ttl))")

                var headers = HTTPHeaders()
                headers.cookie = ["vapor-session": .init(string: id)]
                try await app.testing().test(.GET, "me", headers: headers) { #expect($0.body.string == "ada") }
                try await app.testing().test(.POST, "rename/grace", headers: headers) { #expect($0.status == .ok) }
                try await app.testing().test(.GET, "me", headers: headers) { #expect($0.body.string == "grace") }
                try await app.testing().test(.GET, "me") { #expect($0.body.string == "nobody", "no cookie, no session") }
                try await app.testing().test(.POST, "logout", headers: headers) { #expect($0.status == .ok) }
                #expect(try await store.get(namespace + id) == nil, "logout deletes the session")
                try await app.testing().test(.GET, "me", headers: headers) { #expect($0.body.string == "nobody") }
            }
        }
    }

    @Test func idsAreDistinct() {
        let ids = Set((0..<1000).map { _ in KVVaporSessions.newID().string })
        #expect(ids.count == 1000)
    }
}
#endif
