import ArgumentParser
import KV

struct SetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Write a value. A VALUE of - reads raw bytes from stdin. Exit 1 when a condition is not met, 3 when the outcome is unknown.")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The key.") var key: String
    @Argument(help: "The value, or - to read raw bytes from stdin.") var value: String
    @Option(help: "Expire after this many seconds (fractions allowed).") var ttl: Double?
    @Flag(name: .customLong("if-absent"), help: "Write only if the key does not exist.") var ifAbsent = false
    @Flag(name: .customLong("if-present"), help: "Write only if the key exists.") var ifPresent = false
    @Option(name: .customLong("if-equals"), help: "Write only if the current value is exactly OLD (an atomic compare-and-set).")
    var ifEquals: String?

    func validate() throws {
        if [ifAbsent, ifPresent, ifEquals != nil].filter({ $0 }).count > 1 {
            throw ValidationError("--if-absent, --if-present and --if-equals exclude each other")
        }
        _ = try SecondsFlag.ttl(ttl)
    }

    func run() async throws {
        let bytes = value == "-" ? Output.readStandardInput() : Array(value.utf8)
        let ttl = try SecondsFlag.ttl(ttl)
        if let ifEquals {
            let swapped = try await storeOptions.withStore {
                try await $0.compareAndSet(key, expected: Array(ifEquals.utf8), new: bytes, options: KVSetOptions(ttl: ttl))
            }
            guard swapped else {
                Output.error("not written: key \(KVError.render(key)) does not hold the expected value")
                throw ExitCode(ExitStatus.notFound)
            }
            Output.line("OK")
            return try storeOptions.noteIfEphemeral()
        }
        let options = KVSetOptions(ttl: ttl, condition: ifAbsent ? .onlyIfAbsent : (ifPresent ? .onlyIfPresent : .always))
        let written = try await storeOptions.withStore { try await $0.set(key, bytes, options: options) }
        guard written else {
            Output.error("not written: key \(KVError.render(key)) \(ifAbsent ? "already exists" : "does not exist")")
            throw ExitCode(ExitStatus.notFound)
        }
        Output.line("OK")
        try storeOptions.noteIfEphemeral()
    }
}
