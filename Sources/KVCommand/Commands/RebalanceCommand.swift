#if Redis
import ArgumentParser
import KV
#if Redis
import KVRing
#endif

struct RebalanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebalance",
        abstract: "After a ring's shard set changed, move every key to its new owner (TTL kept).",
        discussion: "The configured store must be a ring:// with the new shard set. --from names the previous ring, so the keys of removed shards move too. Progress shows on a terminal; the result is one JSON object.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The previous ring URL (ring://name=host:port,...).") var from: String?
    @Flag(help: "Print only the final JSON object.") var json = false

    func run() async throws {
        var oldShards: [KVRingShard] = []
        if let from {
            let old = try await KVStores.open(from)
            oldShards = (old as? KVRingStore)?.shards ?? []
            await old.shutdown()
            guard !oldShards.isEmpty else { throw KVError.invalidConfiguration("--from must be a ring:// URL") }
        }
        let quiet = json
        let report = try await storeOptions.withStore { store in
            guard let ring = store as? KVRingStore else { throw KVError.invalidConfiguration("kv rebalance needs a ring:// store, got \(store)") }
            return try await ring.rebalance(from: oldShards) { step in
                if !quiet { Output.progress("rebalance: \(step.shard): scanned \(step.scanned), moved \(step.moved)") }
            }
        }
        Output.endProgress()
        try Output.json(report)
    }
}
#endif
