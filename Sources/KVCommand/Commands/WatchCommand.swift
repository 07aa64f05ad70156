import ArgumentParser
import KV
import UnixSignals

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print one line per change under PREFIX until interrupted (Ctrl-C ends it with exit 0).",
        discussion: """
            Lines: `ready` once the feed is armed, `changed KEY` for each set, delete, expiry or eviction, and \
            `resync REASON` when changes may have been missed (list the prefix again). With --json, one object per \
            line: {"event":"ready"}, {"event":"changed","key":"…"}, {"event":"resync","reason":"…"}. Each line is \
            written as soon as its event arrives, also into a pipe or a file. A store without watches fails with \
            `unsupported` (exit 3). docs/watch.md has each store's contract.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "Matched literally; every key by default.") var prefix: String = ""
    @Flag(help: "Print each event as one JSON object per line.") var json = false

    func run() async throws {
        try await storeOptions.withStore { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await print(store.watch(prefix: prefix)) }
                group.addTask { await Self.interrupted() }
                // The first to end (SIGINT, or the feed failing or ending) ends both.
                defer { group.cancelAll() }
                try await group.next()
            }
        }
    }

    private func print(_ feed: KVWatchFeed) async throws {
        for try await event in feed {
            if json {
                switch event {
                case .ready: try Output.jsonObject(["event": "ready"])
                case .changed(let key): try Output.jsonObject(["event": "changed", "key": key])
                case .resync(let reason): try Output.jsonObject(["event": "resync", "reason": reason])
                }
            } else {
                switch event {
                case .ready: Output.line("ready")
                case .changed(let key): Output.line("changed \(key)")
                case .resync(let reason): Output.line("resync \(reason)")
                }
            }
        }
    }

    /// Returns at the first SIGINT (trapped for the command's run, so it ends the feed, not the process).
    private static func interrupted() async {
        for await _ in await UnixSignalsSequence(trapping: .sigint) { return }
    }
}
