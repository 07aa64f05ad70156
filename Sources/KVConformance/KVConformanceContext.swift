import KVCore

/// A failed expectation of the conformance suite.
public struct KVConformanceFailure: Error, CustomStringConvertible {
    public let message: String
    public let file: StaticString
    public let line: UInt
    public var description: String { "\(file):\(line): \(message)" }
}

/// What a case works with: the store, and checks that throw ``KVConformanceFailure``.
struct KVConformanceContext: Sendable {
    let store: any KVStore
    let harness: KVConformanceHarness

    func expect(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) throws {
        if !condition { throw KVConformanceFailure(message: message(), file: file, line: line) }
    }

    func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        if actual != expected {
            throw KVConformanceFailure(message: "\(what): expected \(Self.show(expected)), got \(Self.show(actual))", file: file, line: line)
        }
    }

    /// Expects `body` to throw a ``KVError`` with `code`.
    func expectError<T>(_ code: KVError.Code, _ what: String, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws(KVError) -> T) async throws {
        let outcome: Result<T, KVError>
        do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        switch outcome {
        case .success(let value):
            throw KVConformanceFailure(message: "\(what): expected error \(code), got \(value)", file: file, line: line)
        case .failure(let error) where error.code != code:
            throw KVConformanceFailure(message: "\(what): expected error \(code), got \(error)", file: file, line: line)
        case .failure:
            return
        }
    }

    /// Lets `duration` pass: by moving the harness clock, or by sleeping.
    func pass(_ duration: Duration) async throws {
        if let advance = harness.advanceTime { await advance(duration) } else { try await Task.sleep(for: duration) }
    }

    /// Waits (bounded) until `key` is gone, after its TTL ran out.
    func expectExpires(_ key: String, within limit: Duration = .seconds(3), file: StaticString = #filePath, line: UInt = #line) async throws {
        let deadline = ContinuousClock.now + limit
        repeat {
            if try await store.get(key) == nil { return }
            try await pass(.milliseconds(50))
        } while ContinuousClock.now < deadline
        throw KVConformanceFailure(message: "key \(KVError.render(key)) did not expire within \(limit)", file: file, line: line)
    }

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private static func show<T>(_ value: T) -> String {
        let text = String(describing: value)
        return text.count > 200 ? String(text.prefix(200)) + "… (\(text.count) characters)" : text
    }
}
