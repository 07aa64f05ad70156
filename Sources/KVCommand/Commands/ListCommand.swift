import ArgumentParser
import KV

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Print the keys that start with PREFIX (all keys by default), one per line.")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "Matched literally; glob characters have no special meaning.") var prefix: String = ""
    @Flag(help: "Print each key as a JSON string, one per line (safe for keys with newlines).") var json = false

    func run() async throws {
        try await storeOptions.withStore { store in
            var count = 0
            for try await key in store.list(prefix: prefix) {
                if json { try Output.json(key) } else { Output.line(key) }
                count += 1
                if count % 10_000 == 0, !json { Output.progress("listed \(count) keys…") }
            }
            Output.endProgress()
        }
    }
}
