import ArgumentParser
import KV

struct LocateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locate", abstract: "Say where each key lives: its shard or node, and for the cluster its slot.")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The keys.") var keys: [String]
    @Flag(help: "One JSON object per line: {\"key\":…,\"node\":…} plus \"slot\" for the cluster.") var json = false

    func validate() throws {
        if keys.isEmpty { throw ValidationError("locate needs at least one key") }
    }

    func run() async throws {
        let locations = try await storeOptions.withStore { store in
            var locations: [KVLocation] = []
            for key in keys { locations.append(try await store.locate(key)) }
            return locations
        }
        for location in locations {
            if json {
                try Output.json(location)
            } else {
                Output.line([location.key, location.node, location.slot.map { "slot \($0)" }].compactMap { $0 }.joined(separator: "\t"))
            }
        }
    }
}
