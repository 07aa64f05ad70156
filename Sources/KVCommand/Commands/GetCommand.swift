import ArgumentParser
import KV

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Write a key's raw value to stdout (a newline is added only on a terminal). Exit 1 when missing.")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The key.") var key: String

    func run() async throws {
        guard let value = try await storeOptions.withStore({ try await $0.get(key) }) else {
            Output.error("key \(KVError.render(key)) not found")
            throw ExitCode(ExitStatus.notFound)
        }
        Output.write(value)
        if Output.isTerminal { Output.write([UInt8(ascii: "\n")]) }
    }
}
