import ArgumentParser
import KV

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Print the keys that start with PREFIX (all keys by default), one per line.",
        discussion: "Keys that are not valid UTF-8 (written by other clients) cannot be named by kv: they are skipped, and a note on stderr counts them.")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "Matched literally; glob characters have no special meaning.") var prefix: String = ""
    @Flag(help: "Print each key as a JSON string, one per line (safe for keys with newlines).") var json = false

    func run() async throws {
        try await storeOptions.withStore { store in
            var count = 0
            var keys = store.list(prefix: prefix).makeAsyncIterator()
            while let key = try await keys.next() {
                if json { try Output.json(key) } else { Output.line(key) }
                count += 1
                if count % 10_000 == 0, !json { Output.progress("listed \(count) keys…") }
            }
            Output.endProgress()
            if keys.skippedKeys > 0 {
                Output.error("note: skipped \(keys.skippedKeys) key(s) that are not valid UTF-8; kv cannot name them (redis-cli --scan can)")
            }
        }
    }
}
