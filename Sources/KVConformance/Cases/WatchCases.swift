import KVCore
import Synchronization

/// The watch contract: `ready` first, then every change under the prefix at least once and nothing outside it, no
/// `resync` without a fault; or, from a store without watches, `unsupported` (never a silent empty feed).
enum WatchCases {
    static let all: [KVConformanceCase] = [
        KVConformanceCase("a watch signals every change under its prefix after ready, or says unsupported") { t in
            let recorder = WatchRecorder()
            let feed = t.store.watch(prefix: "w:")
            // The consumer is a child task, cancelled (which ends the feed) when the checks end.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await recorder.consume(feed) }
                defer { group.cancelAll() }
                try await checkChanges(t, recorder)
            }
        },
    ]

    /// The checks on the events `recorder` collects while the case writes.
    static func checkChanges(_ t: KVConformanceContext, _ recorder: WatchRecorder) async throws {
        try await recorder.waitFor("the first event or an error") { !$0.events.isEmpty || $0.error != nil }
        if let error = recorder.state.withLock({ $0.error }) {
            try t.expectEqual(error.code, .unsupported, "a store without watches fails the feed with")
            return
        }
        try t.expectEqual(recorder.state.withLock { $0.events.first }, .ready, "the first event")
        try await t.store.set("w:a", [1])
        try await t.store.set("x:a", [1])
        _ = try await t.store.delete("w:a")
        try await t.store.batchSet([KVEntry("w:b", [2]), KVEntry("w:c", [3])])
        try await t.store.set("w:t", [4], options: KVSetOptions(ttl: .milliseconds(200)))
        try await t.expectExpires("w:t")
        let expected: Set<String> = ["w:a", "w:b", "w:c", "w:t"]
        try await recorder.waitFor("changes of \(expected.sorted())") { state in
            expected.isSubset(of: Set(state.events.compactMap { if case .changed(let key) = $0 { key } else { nil } }))
        }
        let events = recorder.state.withLock { $0.events }
        try t.expect(events.filter { $0 == .changed("w:a") }.count >= 2, "the set and the delete of w:a are each signalled: \(events)")
        try t.expect(!events.contains(.changed("x:a")), "a key outside the prefix is never signalled: \(events)")
        try t.expect(!events.contains { if case .resync = $0 { true } else { false } }, "no resync without a fault: \(events)")
    }
}

/// Collects a feed's events in a task of its own.
final class WatchRecorder: Sendable {
    struct State {
        var events: [KVWatchEvent] = []
        var error: KVError?
    }

    let state = Mutex(State())

    func consume(_ feed: KVWatchFeed) async {
        do throws(KVError) {
            for try await event in feed { state.withLock { $0.events.append(event) } }
        } catch {
            state.withLock { $0.error = error }
        }
    }

    /// Waits, 5 s at most, until `condition` holds.
    func waitFor(_ what: String, _ condition: (State) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !state.withLock({ condition($0) }) {
            guard ContinuousClock.now < deadline else {
                throw KVConformanceFailure(message: "no \(what) within 5 s: \(state.withLock { "\($0.events) \(String(describing: $0.error))" })", file: #filePath, line: #line)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
