import KVCore

/// One soak task: owns its keys, writes versioned values and checks every read.
struct SoakWorker {
    let store: any KVStore
    let configuration: KVSoakRunner.Configuration
    let task: Int
    let shared: SharedCounts
    /// The last acknowledged version per key (0: none).
    var acknowledged: [Int]
    /// The highest version attempted per key, acknowledged or not (a failed write may still have landed).
    var attempted: [Int]

    init(store: any KVStore, configuration: KVSoakRunner.Configuration, task: Int, shared: SharedCounts) {
        self.store = store
        self.configuration = configuration
        self.task = task
        self.shared = shared
        acknowledged = Array(repeating: 0, count: configuration.keys)
        attempted = Array(repeating: 0, count: configuration.keys)
    }

    func key(_ index: Int) -> String { KVSoakRunner.key(configuration.keyPrefix, task: task, index: index) }

    /// `key|version|` padded with `.` to the value size.
    func value(key: String, version: Int) -> [UInt8] {
        var bytes = Array("\(key)|\(version)|".utf8)
        if bytes.count < configuration.valueSize { bytes += [UInt8](repeating: UInt8(ascii: "."), count: configuration.valueSize - bytes.count) }
        return bytes
    }

    mutating func run(until deadline: ContinuousClock.Instant) async {
        var index = 0
        while ContinuousClock.now < deadline && !Task.isCancelled {
            let key = key(index)
            let version = attempted[index] + 1
            attempted[index] = version
            var wrote = KVSoakReport()
            do {
                try await store.set(key, value(key: key, version: version), options: .default)
                acknowledged[index] = version
                wrote.writes = 1
            } catch {
                wrote.errors[error.code.description] = 1
            }
            shared.add(wrote, succeeded: wrote.writes == 1, now: ContinuousClock.now)
            var read = KVSoakReport()
            var readSucceeded = false
            do {
                classify(try await store.get(key), key: key, index: index, into: &read)
                readSucceeded = true
            } catch {
                read.errors[error.code.description] = 1
            }
            shared.add(read, succeeded: readSucceeded, now: ContinuousClock.now)
            index = (index + 1) % configuration.keys
            if wrote.writes == 0 && !readSucceeded {
                try? await Task.sleep(for: .milliseconds(5))
            } else {
                await Task.yield()  // a store that never suspends (memory) must not starve the other workers and the ticker
            }
        }
    }

    func classify(_ read: [UInt8]?, key: String, index: Int, into report: inout KVSoakReport) {
        guard let read else {
            if acknowledged[index] > 0 { report.missing += 1 } else { report.ok += 1 }
            return
        }
        guard let version = Self.version(in: read, key: key), read == value(key: key, version: version), version <= attempted[index] else {
            report.corrupt += 1
            return
        }
        if version < acknowledged[index] { report.stale += 1 } else { report.ok += 1 }
    }

    /// The version in a value written for `key`, or nil when the value belongs to another key or is garbled.
    static func version(in value: [UInt8], key: String) -> Int? {
        let prefix = Array("\(key)|".utf8)
        guard value.starts(with: prefix) else { return nil }
        let rest = value[prefix.count...]
        guard let bar = rest.firstIndex(of: UInt8(ascii: "|")) else { return nil }
        return Int(String(decoding: rest[rest.startIndex..<bar], as: UTF8.self))
    }
}
