import ArgumentParser
import KV

struct SetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Write a value. A VALUE of - reads raw bytes from stdin. Exit 1 when a condition is not met.")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The key.") var key: String
    @Argument(help: "The value, or - to read raw bytes from stdin.") var value: String
    @Option(help: "Expire after this many seconds (fractions allowed).") var ttl: Double?
    @Flag(name: .customLong("if-absent"), help: "Write only if the key does not exist.") var ifAbsent = false
    @Flag(name: .customLong("if-present"), help: "Write only if the key exists.") var ifPresent = false

    func validate() throws {
        if ifAbsent && ifPresent { throw ValidationError("--if-absent and --if-present exclude each other") }
        _ = try SecondsFlag.ttl(ttl)
    }

    func run() async throws {
        let bytes = value == "-" ? Output.readStandardInput() : Array(value.utf8)
        let options = KVSetOptions(
            ttl: try SecondsFlag.ttl(ttl),
            condition: ifAbsent ? .onlyIfAbsent : (ifPresent ? .onlyIfPresent : .always))
        let written = try await storeOptions.withStore { try await $0.set(key, bytes, options: options) }
        guard written else {
            Output.error("not written: key \(KVError.render(key)) \(ifAbsent ? "already exists" : "does not exist")")
            throw ExitCode(ExitStatus.notFound)
        }
        Output.line("OK")
        try storeOptions.noteIfEphemeral()
    }
}
