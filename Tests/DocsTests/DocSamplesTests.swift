import Foundation
import KV
@testable import KVSnippets
import Testing
import KVMemory

/// Every ```swift sample in docs/ is compiled: its lines appear, in order and together, in the snippet
/// target (Examples/Snippets) or in these tests. Edit both together.
@Suite struct DocSamplesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    static func files(in directory: String, suffix: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: root.appendingPathComponent(directory), includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasSuffix(suffix) }
            .sorted { $0.path < $1.path }
    }

    static func normalized(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    static func samples(_ markdown: String) -> [String] {
        var samples: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" {
                current = []
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                samples.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return samples
    }

    @Test func everyDocSampleIsCompiledCode() throws {
        let compiled = try (Self.files(in: "Examples/Snippets", suffix: ".swift") + Self.files(in: "Tests/DocsTests", suffix: ".swift"))
            .map { try String(contentsOf: $0, encoding: .utf8) }
            .map(Self.normalized)
        var checked = 0
        for page in try Self.files(in: "docs", suffix: ".md") {
            for sample in Self.samples(try String(contentsOf: page, encoding: .utf8)) {
                let lines = Self.normalized(sample)
                let found = compiled.contains { source in
                    source.indices.contains { start in start + lines.count <= source.count && Array(source[start..<start + lines.count]) == lines }
                }
                #expect(found, "a sample in \(page.lastPathComponent) is not in the snippet target:\n\(sample)")
                checked += 1
            }
        }
        #expect(checked >= 8, "the docs hold \(checked) Swift samples")
    }
}

/// The atomic-operations page's sample runs on the memory store.
@Suite struct AtomicOperationsSampleTests {
    @Test func theSampleRuns() async throws {
        let store: any KVStore = KVMemoryStore()
        try await store.set("cart:7", [1])
        try await atomicOperations(store: store, old: [1], updated: [2])
        #expect(try await store.get("cart:7") == [2])
        #expect(try await store.get("hits:/home") == Array("1".utf8))
        #expect(try await store.contains("user:ada"))
        #expect(try await store.contains("kvlock:{nightly-report}") == false, "the lock was released")
    }
}

/// The backends page's `withKVStore` sample runs: the store is opened, used and shut down in its scope.
@Suite struct LifecycleSampleTests {
    @Test func theScopedStoreSampleRuns() async throws {
        #expect(try await countSessions() == 1)
    }
}
