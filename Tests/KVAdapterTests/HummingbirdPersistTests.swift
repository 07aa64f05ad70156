#if HummingbirdSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import KV
import KVHummingbird
import KVTestSupport
import Testing

/// `KVPersistDriver` keeps Hummingbird's persist contract on the memory store and on a real Redis, used by
/// routes (through HummingbirdTesting) and by a session flow of the kind HummingbirdAuth's sessions run.
@Suite(.serialized) struct HummingbirdPersistTests {
    static let stores = ["memory://", TestServers.redisArgument]

    /// Runs `body` with a driver on the store `url` names, in a namespace of its own.
    static func withDriver(_ url: String, _ body: (KVPersistDriver) async throws -> Void) async throws {
        try await withStore(url) { store, prefix in try await body(KVPersistDriver(store: store, namespace: prefix)) }
    }

    @Test(arguments: stores) func createIsOnlyForNewKeys(url: String) async throws {
        try await Self.withDriver(url) { persist in
            try await persist.create(key: "user", value: "ada", expires: nil)
            await #expect(throws: PersistError.duplicate) { try await persist.create(key: "user", value: "grace", expires: nil) }
            #expect(try await persist.get(key: "user", as: String.self) == "ada", "the duplicate wrote nothing")
        }
    }

    /// An expiry of zero or less (code that computes `expiry - now`) means gone at once, as in Hummingbird's drivers.
    @Test(arguments: stores) func anExpiryOfZeroOrLessExpiresAtOnce(url: String) async throws {
        try await Self.withDriver(url) { persist in
            for expires in [Duration.zero, .seconds(-5)] {
                try await persist.set(key: "k", value: "old", expires: nil)
                try await persist.set(key: "k", value: "new", expires: expires)
                #expect(try await persist.get(key: "k", as: String.self) == nil, "set with expires \(expires) leaves nothing to read")
                try await persist.create(key: "fresh", value: "v", expires: expires)
                #expect(try await persist.get(key: "fresh", as: String.self) == nil, "create with expires \(expires) stores nothing")
                try await persist.set(key: "k", value: "old", expires: nil)
                await #expect(throws: PersistError.duplicate) { try await persist.create(key: "k", value: "new", expires: expires) }
                #expect(try await persist.get(key: "k", as: String.self) == "old")
                try await persist.remove(key: "k")
            }
        }
    }

    @Test(arguments: stores) func setWithoutExpiryKeepsTheExpiryAKeyHas(url: String) async throws {
        try await Self.withDriver(url) { persist in
            try await persist.set(key: "token", value: 1, expires: .seconds(600))
            try await persist.set(key: "token", value: 2, expires: nil)
            let read = try #require(try await persist.getWithTTL(key: "token", as: Int.self))
            #expect(read.object == 2)
            let ttl = try #require(read.ttl, "the expiry survived a set with expires: nil")
            #expect(ttl > .seconds(590) && ttl <= .seconds(600))
            try await persist.set(key: "fresh", value: 3, expires: nil)
            #expect(try await persist.getWithTTL(key: "fresh", as: Int.self)?.ttl == nil, "a new key without expiry has none")
        }
    }

    @Test(arguments: stores) func aValueOfAnotherTypeIsAnInvalidConversion(url: String) async throws {
        try await Self.withDriver(url) { persist in
            try await persist.set(key: "name", value: "ada", expires: nil)
            await #expect(throws: PersistError.invalidConversion) { _ = try await persist.get(key: "name", as: Int.self) }
            await #expect(throws: PersistError.invalidConversion) { _ = try await persist.getWithTTL(key: "name", as: [Int].self) }
            #expect(try await persist.get(key: "missing", as: Int.self) == nil)
            #expect(try await persist.getWithTTL(key: "missing", as: Int.self) == nil)
        }
    }

    /// Every value records its type, as in Hummingbird's drivers: a struct read as a `String`, and the string
    /// `"42"` read as an `Int`, are `invalidConversion`; a string is stored as JSON text.
    @Test(arguments: stores) func stringsAndNumbersKeepTheirType(url: String) async throws {
        struct Item: Codable, Sendable { var buffer: String }
        try await withStore(url) { store, prefix in
            let persist = KVPersistDriver(store: store, namespace: prefix)
            try await persist.set(key: "item", value: Item(buffer: "hello"), expires: nil)
            await #expect(throws: PersistError.invalidConversion) { _ = try await persist.get(key: "item", as: String.self) }
            try await persist.set(key: "text", value: "42", expires: nil)
            await #expect(throws: PersistError.invalidConversion) { _ = try await persist.get(key: "text", as: Int.self) }
            #expect(try await persist.get(key: "text", as: String.self) == "42")
            #expect(try await store.get(prefix + "text") == Array(#""42""#.utf8), "stored as JSON text, readable from any language")
            try await persist.set(key: "number", value: 42, expires: nil)
            await #expect(throws: PersistError.invalidConversion) { _ = try await persist.get(key: "number", as: String.self) }
            #expect(try await persist.get(key: "number", as: Int.self) == 42)
            // A driver made from a client that stores strings raw stores them as JSON all the same.
            let fromClient = KVPersistDriver(client: KVClient(store: store, namespace: prefix))
            try await fromClient.set(key: "text2", value: "x", expires: nil)
            #expect(try await store.get(prefix + "text2") == Array(#""x""#.utf8))
        }
    }

    /// 64 tasks add to one counter and one list: `update` and `increment` lose nothing; `get` then `set` does
    /// (the count it keeps is printed, not asserted).
    @Test(arguments: stores) func updateAndIncrementLoseNothingUnderConcurrency(url: String) async throws {
        try await Self.withDriver(url) { persist in
            let tasks = 64, perTask = 40
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        for i in 0..<perTask {
                            try await persist.increment(key: "counter")
                            let retry = KVUpdateRetry(maxAttempts: 10_000, initialBackoff: .microseconds(100), maxBackoff: .milliseconds(5))
                            try await persist.update(key: "list", as: [Int].self, retry: retry) { list in list = (list ?? []) + [task * perTask + i] }
                            let read = try await persist.get(key: "racy", as: Int.self) ?? 0
                            try await persist.set(key: "racy", value: read + 1, expires: nil)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await persist.get(key: "counter", as: Int.self) == tasks * perTask)
            #expect(Set(try await persist.get(key: "list", as: [Int].self) ?? []) == Set(0..<tasks * perTask))
            let racy = try await persist.get(key: "racy", as: Int.self) ?? 0
            print("lost updates, \(url): get then set kept \(racy) of \(tasks * perTask); increment and update kept all")
        }
    }

    @Test(arguments: stores) func expiresAndRemove(url: String) async throws {
        try await Self.withDriver(url) { persist in
            try await persist.set(key: "brief", value: "x", expires: .milliseconds(50))
            try await persist.set(key: "kept", value: "y", expires: nil)
            try await Task.sleep(for: .milliseconds(150))
            #expect(try await persist.get(key: "brief", as: String.self) == nil, "expired")
            try await persist.remove(key: "kept")
            #expect(try await persist.get(key: "kept", as: String.self) == nil, "removed")
        }
    }

    /// Persist routes, as Hummingbird's own persist tests drive them.
    @Test(arguments: stores) func persistRoutes(url: String) async throws {
        try await Self.withDriver(url) { persist in
            let router = Router()
            router.put("/persist/:tag") { request, context -> HTTPResponse.Status in
                let body = try await request.body.collect(upTo: 1 << 16)
                try await persist.create(key: try context.parameters.require("tag"), value: String(buffer: body), expires: .seconds(60))
                return .created
            }
            router.get("/persist/:tag") { _, context -> String? in
                try await persist.get(key: try context.parameters.require("tag"), as: String.self)
            }
            router.get("/persist/:tag/ttl") { _, context -> String in
                let read = try await persist.getWithTTL(key: try context.parameters.require("tag"), as: String.self)
                return read?.ttl.map { "\($0.components.seconds)" } ?? "none"
            }
            router.delete("/persist/:tag") { _, context -> HTTPResponse.Status in
                try await persist.remove(key: try context.parameters.require("tag"))
                return .noContent
            }
            let app = Application(router: router, services: [persist])
            try await app.test(.router) { client in
                try await client.execute(uri: "/persist/a", method: .put, body: ByteBuffer(string: "hello")) { #expect($0.status == .created) }
                try await client.execute(uri: "/persist/a", method: .put, body: ByteBuffer(string: "again")) { response in
                    #expect(response.status == .internalServerError, "PersistError.duplicate reaches the route")
                }
                try await client.execute(uri: "/persist/a", method: .get) { #expect(String(buffer: $0.body) == "hello") }
                try await client.execute(uri: "/persist/a/ttl", method: .get) { response in
                    let seconds = Int(String(buffer: response.body)) ?? -1
                    #expect((58...60).contains(seconds), "ttl \(String(buffer: response.body))")
                }
                try await client.execute(uri: "/persist/a", method: .delete) { #expect($0.status == .noContent) }
                try await client.execute(uri: "/persist/a", method: .get) { #expect($0.status == .noContent, "nothing left") }
            }
        }
    }

    /// Log in, carry the session cookie, read the session, log out: sessions stored through the driver, with
    /// the expiry renewed on each request as HummingbirdAuth's session storage does.
    @Test(arguments: stores) func sessionsSurviveAcrossRequests(url: String) async throws {
        struct Session: Codable, Sendable, Equatable { var user: String; var visits: Int }
        try await Self.withDriver(url) { persist in
            let router = Router()
            router.post("/login/:user") { _, context -> Response in
                let id = UUID().uuidString
                try await persist.create(key: "session:\(id)", value: Session(user: try context.parameters.require("user"), visits: 0), expires: .seconds(300))
                var response = Response(status: .ok)
                response.setCookie(.init(name: "SESSION_ID", value: id, path: "/"))
                return response
            }
            router.get("/me") { request, _ -> String in
                guard let id = request.cookies["SESSION_ID"]?.value,
                      var session = try await persist.get(key: "session:\(id)", as: Session.self)
                else { throw HTTPError(.unauthorized) }
                session.visits += 1
                try await persist.set(key: "session:\(id)", value: session, expires: .seconds(300))
                return "\(session.user) \(session.visits)"
            }
            router.post("/logout") { request, _ -> HTTPResponse.Status in
                if let id = request.cookies["SESSION_ID"]?.value { try await persist.remove(key: "session:\(id)") }
                return .ok
            }
            let app = Application(router: router)
            try await app.test(.router) { client in
                let cookie = try await client.execute(uri: "/login/ada", method: .post) { response in
                    try #require(response.headers[.setCookie]?.split(separator: ";").first.map(String.init))
                }
                for visit in 1...3 {
                    try await client.execute(uri: "/me", method: .get, headers: [.cookie: cookie]) { response in
                        #expect(String(buffer: response.body) == "ada \(visit)")
                    }
                }
                try await client.execute(uri: "/logout", method: .post, headers: [.cookie: cookie]) { #expect($0.status == .ok) }
                try await client.execute(uri: "/me", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .unauthorized) }
            }
        }
    }
}
#endif
