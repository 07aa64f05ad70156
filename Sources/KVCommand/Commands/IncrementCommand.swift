import ArgumentParser
import KV

struct IncrementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incr",
        abstract: "Add BY (default 1) to the integer under KEY, atomically, and print the new value.",
        discussion: """
            A missing key counts from 0. Exit 3 when the value is not an integer, the sum would overflow, or the \
            outcome is unknown (the connection broke after the increment was sent: it may have happened; it is never re-sent).
            """)

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The key.") var key: String
    // Collected unparsed so that a negative amount (`kv incr k -5`) is not taken for an option.
    @Argument(parsing: .allUnrecognized, help: "BY: the amount to add (default 1), negative to subtract.") var amount: [String] = []
    @Option(help: "Expire after this many seconds, if the key is created.") var ttl: Double?

    /// The amount, a 64-bit integer.
    var by: Int64 {
        get throws {
            guard amount.count <= 1 else { throw ValidationError("incr takes KEY and at most one amount, got \(amount.count) more arguments") }
            guard let text = amount.first else { return 1 }
            guard let value = Int64(text) else {
                throw ValidationError("the amount must be an integer from \(Int64.min) to \(Int64.max), got \(KVError.render(text))")
            }
            return value
        }
    }

    func validate() throws {
        _ = try by
        _ = try SecondsFlag.ttl(ttl)
    }

    func run() async throws {
        let ttl = try SecondsFlag.ttl(ttl)
        let by = try self.by
        let value = try await storeOptions.withStore { try await $0.increment(key, by: by, ttlIfCreated: ttl) }
        Output.line(String(value))
        try storeOptions.noteIfEphemeral()
    }
}
