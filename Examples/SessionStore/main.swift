// Stores, reads, updates and expires Codable session structs with KVClient, under a key namespace.
//   swift run SessionStore [--store URL | --config FILE]
import ExampleSupport
import Foundation
import KV

struct Session: Codable, Equatable {
    var user: String
    var roles: [String]
    var cart: [String]
    var lastSeen: Date
}

let (store, configuration) = try await ExampleStore.open()
print("SessionStore on \(configuration)")
let sessions = KVClient(store: store, namespace: "example:session:")

let ada = Session(user: "ada", roles: ["admin"], cart: [], lastSeen: Date())
try await sessions.set(ada, for: "s-1", options: .ttl(.seconds(1800)))
print("stored session s-1 for \(ada.user) with a 30 minute TTL")

guard var session = try await sessions.get(Session.self, for: "s-1") else { fatalError("session s-1 vanished") }
print("read s-1: user=\(session.user) roles=\(session.roles)")

session.cart.append("book:42")
try await sessions.set(session, for: "s-1", options: KVSetOptions(keepTTL: true))
print("updated s-1, cart=\(try await sessions.get(Session.self, for: "s-1")?.cart ?? []), \(try await sessions.ttl("s-1"))")

let created = try await sessions.set(ada, for: "s-1", options: KVSetOptions(condition: .onlyIfAbsent))
print("creating s-1 again with onlyIfAbsent wrote: \(created)")

try await sessions.set(Session(user: "grace", roles: [], cart: [], lastSeen: Date()), for: "s-2", options: .ttl(.milliseconds(300)))
print("stored s-2 with a 300 ms TTL; sessions now: \(try await sessions.list().reduce(into: [String]()) { $0.append($1) }.sorted())")
try await Task.sleep(for: .milliseconds(500))
print("after 500 ms, s-2 is \(try await sessions.get(Session.self, for: "s-2") == nil ? "expired" : "still there")")

_ = try await sessions.batchDelete(["s-1", "s-2"])
await store.shutdown()
print("done")
