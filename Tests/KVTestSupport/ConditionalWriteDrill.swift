public import KVCore

/// Conditional writes and deletes whose right answer is known in advance, run while connections are killed:
/// `set(onlyIfAbsent)` on a brand-new key must answer `true`, `delete` of a key just written must answer `true`,
/// `batchDelete` of keys just written must count them all. Any other answer is wrong; an error is not.
public struct ConditionalWriteDrill: Sendable {
    public struct Report: Sendable, CustomStringConvertible {
        /// Answers that contradict what the store holds: must be 0.
        public var wrong = 0
        /// Calls answered correctly.
        public var right = 0
        /// Errors by code; `outcome unknown`, `timeout` and `connection failed` are honest answers.
        public var errors: [String: Int] = [:]
        public var wrongExamples: [String] = []
        public var description: String { "right \(right), wrong \(wrong) \(wrongExamples.prefix(3)), errors \(errors)" }
    }

    public let store: any KVStore
    public let prefix: String

    public init(store: any KVStore, prefix: String) {
        self.store = store
        self.prefix = prefix
    }

    /// Runs `tasks` workers for `duration` (and at most 100,000 rounds each).
    public func run(tasks: Int, for duration: Duration) async -> Report {
        let report = Locked(Report())
        let deadline = ContinuousClock.now + duration
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for round in 0..<100_000 where ContinuousClock.now < deadline {
                        await self.round(task: task, round: round, report: report)
                    }
                }
            }
        }
        return report.value
    }

    private func round(task: Int, round: Int, report: Locked<Report>) async {
        func record(_ name: String, _ answer: Result<Bool, KVError>) {
            report.withLock { report in
                switch answer {
                case .success(true): report.right += 1
                case .success(false):
                    report.wrong += 1
                    report.wrongExamples.append(name)
                case .failure(let error): report.errors[error.code.description, default: 0] += 1
                }
            }
        }
        let key = "\(prefix):\(task):\(round)"
        let created: Result<Bool, KVError>
        do { created = .success(try await store.set(key, [1], options: KVSetOptions(condition: .onlyIfAbsent))) } catch { created = .failure(error) }
        record("set(onlyIfAbsent) of new \(key)", created)
        if case .success(true) = created {
            do { record("delete of existing \(key)", .success(try await store.delete(key))) } catch { record("", .failure(error)) }
        }
        let keys = (0..<20).map { "\(key):b\($0)" }
        do { try await store.batchSet(keys.map { KVEntry($0, [2]) }) } catch {
            record("", .failure(error))
            return
        }
        do {
            let deleted = try await store.batchDelete(keys)
            record("batchDelete of 20 existing keys under \(key) counted \(deleted)", .success(deleted == keys.count))
        } catch {
            record("", .failure(error))
        }
    }
}
