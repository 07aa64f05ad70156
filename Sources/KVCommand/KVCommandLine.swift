import ArgumentParser
import Foundation
import KV

/// `kv`: one command line over every store.
///
/// Exit codes: 0 success, 1 key not found or store unhealthy, 2 bad usage or configuration, 3 an error from the store.
@main
struct KVCommandLine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kv",
        abstract: "Read and write any key-value store: memory, redis, ring or cluster.",
        discussion: """
            The store is --store URL, else --config FILE, else $KV_STORE, else $KV_CONFIG, else memory://.
            --store, --config and --verbose may come before or after the subcommand.
            Exit codes: 0 success, 1 key not found or store unhealthy, 2 bad usage or configuration, 3 store error.
            """,
        version: "kv \(KVVersion.current)",
        subcommands: subcommands
    )

    /// Every command; `rebalance` (ring stores) needs the `Redis` trait.
    static var subcommands: [any ParsableCommand.Type] {
        var commands: [any ParsableCommand.Type] = [
            SetCommand.self, GetCommand.self, DeleteCommand.self, IncrementCommand.self, ListCommand.self, MSetCommand.self, MGetCommand.self,
            HealthCommand.self, LocateCommand.self, DemoCommand.self, BenchCommand.self, SoakCommand.self, WatchCommand.self,
        ]
        #if Redis
        commands.append(RebalanceCommand.self)
        #endif
        return commands
    }

    static func main() async {
        do {
            var command = try parseAsRoot(GlobalOptions.reordered(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as KVError {
            Output.error(error.description)
            Foundation.exit(ExitStatus.of(error))
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            Output.error(fullMessage(for: error))
            Foundation.exit(ExitStatus.usage)
        }
    }
}

/// The exit codes of the `kv` interface.
enum ExitStatus {
    static let notFound: Int32 = 1
    static let unhealthy: Int32 = 1
    static let usage: Int32 = 2
    static let storeError: Int32 = 3

    static func of(_ error: KVError) -> Int32 {
        switch error.code {
        case .invalidArgument, .invalidConfiguration: usage
        default: storeError
        }
    }
}
