public import ArgumentParser
import KV
import KVSoak

extension KVSoakRunner.Workload: ExpressibleByArgument {}

struct SoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "Run a verified load; exit 1 if any read was corrupt or any counter lost or double-counted an increment.",
        discussion: """
            --workload read-write (default): versioned writes and checked reads. --workload counters: increments of \
            --keys shared counters, then per counter acknowledged ≤ final ≤ acknowledged + unknown. --workload stampede: \
            --tasks callers of getOrLoad on one missing key at once (processes sharing --key-prefix, with --lease, load \
            once between them). --workload staleness: a writer on a store of its own (the same URL without its \
            nearCache options) writes versions of --keys shared keys while --tasks readers read them through the \
            store: how stale a read can be after another client's acknowledged write (docs/near-cache.md). Prints a summary line per second on a terminal, and at the end one JSON object: ok, \
            missing, stale, corrupt, writes, errors by kind, maxGapMs, for counters acknowledged, unknown, final, lost, \
            duplicated, for a stampede callers, served, loadsHere, loadsEverywhere, and for staleness reads, stale, \
            worstMs, p999Ms, p99Ms.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "read-write, counters, stampede or staleness.") var workload: KVSoakRunner.Workload = .readWrite
    @Option(help: "Seconds to run.") var duration: Double = 10
    @Option(help: "Concurrent tasks.") var tasks = 16
    @Option(help: "Keys per task.") var keys = 100
    @Option(help: "Stampede: the prefix of the keys, shared by the processes of one stampede (default: random).") var keyPrefix: String?
    @Option(help: "Stampede: how long the loader takes, in milliseconds.") var loadMs = 500
    @Flag(help: "Stampede: one load across processes, with a lease per key.") var lease = false
    @Flag(help: "Print only the final JSON object.") var json = false

    func validate() throws {
        _ = try runTime()
        guard tasks > 0, keys > 0 else { throw ValidationError("--tasks and --keys must be positive") }
        guard (1...600_000).contains(loadMs) else { throw ValidationError("--load-ms must be within 1…600000") }
        if let keyPrefix { try KVLimits.check(key: keyPrefix + "stampede:loads") }
    }

    private func runTime() throws -> Duration {
        try SecondsFlag.duration(duration, flag: "--duration", max: KVLimits.maxSoakSeconds, maxName: "365 days")
    }

    /// `configuration` with no `nearCache…` option, in the URL or beside it.
    static func withoutNearCache(_ configuration: KVConfiguration) -> KVConfiguration {
        var url = configuration.url
        url.query = url.query.filter { !$0.key.hasPrefix("nearCache") }
        return KVConfiguration(url: url, options: configuration.options.filter { !$0.key.hasPrefix("nearCache") })
    }

    func run() async throws {
        let configuration = KVSoakRunner.Configuration(
            workload: workload, duration: try runTime(), tasks: tasks, keys: keys, keyPrefix: keyPrefix, loadTime: .milliseconds(loadMs), lease: lease)
        let live = !json && Output.isTerminal
        // The staleness workload's writer is another client: the same store without a near cache.
        let writer = workload == .staleness ? try await KVStores.open(Self.withoutNearCache(try storeOptions.configuration())) : nil
        let report = try await storeOptions.withStore { store in
            let soak = KVSoakRunner(store: store, configuration: configuration, writer: writer)
            let report = await soak.run { if live { Output.line($0.summary) } }
            await writer?.shutdown()
            // A stampede's keys are shared with the other processes of the run; they expire in 10 minutes.
            if workload != .stampede { _ = try? await store.batchDelete(soak.keys) }
            return report
        }
        try Output.json(report)
        if report.corrupt > 0 {
            Output.error("\(report.corrupt) corrupt reads: a value came back that was never written to its key")
            throw ExitCode(ExitStatus.notFound)
        }
        if let stampede = report.stampede, stampede.served < stampede.callers {
            Output.error("stampede: \(stampede.callers - stampede.served) of \(stampede.callers) callers got no value")
            throw ExitCode(ExitStatus.notFound)
        }
        if let counters = report.counters, counters.lost > 0 || counters.duplicated > 0 || counters.unreadable > 0 {
            Output.error("counters: \(counters.lost) acknowledged increments lost, \(counters.duplicated) counted twice, \(counters.unreadable) counters unreadable")
            throw ExitCode(ExitStatus.notFound)
        }
    }
}
