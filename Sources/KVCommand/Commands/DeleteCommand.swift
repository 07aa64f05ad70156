import ArgumentParser
import KV

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "del", abstract: "Delete keys and print the number deleted.")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The keys.") var keys: [String]

    func validate() throws {
        if keys.isEmpty { throw ValidationError("del needs at least one key") }
    }

    func run() async throws {
        let deleted = try await storeOptions.withStore { store in
            keys.count == 1 ? (try await store.delete(keys[0]) ? 1 : 0) : try await store.batchDelete(keys)
        }
        Output.line("\(deleted)")
    }
}
