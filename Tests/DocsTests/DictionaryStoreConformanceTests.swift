import KVConformance
import KVSnippets
import Testing

/// The backend from docs/writing-a-backend.md passes the whole suite.
@Suite struct DictionaryStoreConformanceTests {
    @Test(arguments: KVConformance.cases)
    func conformance(_ testCase: KVConformanceCase) async throws {
        try await testCase.run(KVConformanceHarness { DictionaryStore() })
    }
}
