import ArgumentParser
import Foundation
import KV

/// The README's main job: Codable sessions, a batch, a prefix listing, a TTL expiring, and a health report.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Store and read Codable sessions, run a batch, list, expire a key and report health.")

    @OptionGroup var storeOptions: StoreOptions

    struct Session: Codable, Equatable {
        var user: String
        var cart: [String]
        var createdAt: Date
    }

    func run() async throws {
        let configuration = try storeOptions.configuration()
        Output.line("kv demo on \(configuration)")
        try await storeOptions.withStore { store in
            let run = "demo-\(UInt32.random(in: 0...UInt32.max)):"
            let sessions = KVClient(store: store, namespace: run + "session:")

            Output.line("\n1. Codable sessions (namespace \"\(run)session:\")")
            let ada = Session(user: "ada", cart: ["keyboard"], createdAt: Date(timeIntervalSince1970: 1_700_000_000))
            try await sessions.set(ada, for: "ada", options: .ttl(.seconds(1800)))
            try await sessions.set(Session(user: "grace", cart: [], createdAt: Date(timeIntervalSince1970: 1_700_000_100)), for: "grace")
            var session = try await sessions.get(Session.self, for: "ada")
            Output.line("   read ada: user=\(session?.user ?? "?") cart=\(session?.cart ?? [])")
            session?.cart.append("mouse")
            if let session { try await sessions.set(session, for: "ada", options: KVSetOptions(keepTTL: true)) }
            let updated = try await sessions.get(Session.self, for: "ada")
            Output.line("   updated ada: cart=\(updated?.cart ?? []), ttl \(try await sessions.ttl("ada"))")

            Output.line("\n2. A batch of 1,000 cache entries")
            let cache = KVClient(store: store, namespace: run + "cache:")
            let entries = (0..<1000).map { (key: "item:\($0)", value: "reply-\($0)") }
            let start = ContinuousClock.now
            try await cache.batchSet(entries, options: .ttl(.seconds(60)))
            let read = try await cache.batchGet(String.self, for: entries.map(\.key) + ["item:missing"])
            let elapsed = ContinuousClock.now - start
            Output.line("   wrote 1,000 and read back \(read.count) (missing keys are left out) in \(elapsed.formatted(.units(allowed: [.milliseconds], fractionalPart: .show(length: 1))))")
            let correct = entries.allSatisfy { read[$0.key] == $0.value }
            Output.line("   every value matches: \(correct)")

            Output.line("\n3. Listing by prefix")
            let listed = try await sessions.list().reduce(into: [String]()) { $0.append($1) }
            Output.line("   sessions: \(listed.sorted().joined(separator: ", "))")
            var cached = 0
            for try await _ in cache.list(prefix: "item:") { cached += 1 }
            Output.line("   cache entries under \"item:\": \(cached)")

            Output.line("\n4. A TTL expiring")
            try await store.set(run + "flash", Array("gone soon".utf8), options: .ttl(.milliseconds(700)))
            Output.line("   set \"flash\" with a 700 ms TTL: \(try await store.ttl(run + "flash"))")
            try await Task.sleep(for: .milliseconds(900))
            let flash = try await store.get(run + "flash")
            Output.line("   after 900 ms: \(flash == nil ? "expired" : "still there")")

            Output.line("\n5. Health")
            let report = try await store.health()
            Output.line("   overall: \(report.status.rawValue) (\(report.backend))")
            HealthTable.print(report, colour: Output.isTerminal)

            let removed = try await cache.batchDelete(entries.map(\.key)) + (try await sessions.batchDelete(["ada", "grace"]))
            Output.line("\nCleaned up \(removed) keys. Done.")
        }
    }
}
