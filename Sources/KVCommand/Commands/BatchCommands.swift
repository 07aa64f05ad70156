import ArgumentParser
import Foundation
import KV

struct MSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mset", abstract: "Write several keys: kv mset K V [K V...].")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "Alternating keys and values.") var pairs: [String]
    @Option(help: "Expire after this many seconds.") var ttl: Double?

    func validate() throws {
        if pairs.isEmpty || pairs.count % 2 != 0 { throw ValidationError("mset needs pairs of KEY VALUE") }
        _ = try SecondsFlag.ttl(ttl)
    }

    func run() async throws {
        let entries = stride(from: 0, to: pairs.count, by: 2).map { KVEntry(pairs[$0], Array(pairs[$0 + 1].utf8)) }
        let options = KVSetOptions(ttl: try SecondsFlag.ttl(ttl))
        try await storeOptions.withStore { try await $0.batchSet(entries, options: options) }
        Output.line("OK")
        try storeOptions.noteIfEphemeral()
    }
}

struct MGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mget",
        abstract: "Read several keys: one line per key with its value (empty for a missing key). Exit 1 if any is missing.")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The keys.") var keys: [String]
    @Flag(help: "Print one JSON object mapping each key to its value: a string when the value is UTF-8 text, {\"base64\": \"…\"} for any other bytes, null when missing.")
    var json = false

    func validate() throws {
        if keys.isEmpty { throw ValidationError("mget needs at least one key") }
    }

    func run() async throws {
        let found = try await storeOptions.withStore { try await $0.batchGet(keys) }
        if json {
            var object: [String: Any] = [:]
            for key in keys { object[key] = found[key].map(Self.jsonValue) ?? NSNull() }
            try Output.jsonObject(object)
        } else {
            for key in keys { Output.write((found[key] ?? []) + [UInt8(ascii: "\n")]) }
        }
        if keys.contains(where: { found[$0] == nil }) {
            let missing = keys.filter { found[$0] == nil }
            Output.error("\(missing.count) key(s) not found: \(missing.prefix(5).map(KVError.render).joined(separator: ", "))")
            throw ExitCode(ExitStatus.notFound)
        }
    }

    /// A value in `--json` output: its text when it is valid UTF-8, else `{"base64": …}`, so no byte is lost.
    static func jsonValue(_ bytes: [UInt8]) -> Any {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return ["base64": Data(bytes).base64EncodedString()]
    }
}
