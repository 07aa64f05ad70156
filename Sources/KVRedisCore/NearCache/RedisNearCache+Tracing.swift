package import KVCore
#if DistributedTracingSupport
import Tracing
#endif

extension RedisNearCache {
    /// With a tracer active when the store was made: a client span for a read served from memory, named as the
    /// read (`GET`, `EXISTS`), with the node's attributes and `kv.near_cache.hit` true. It ends at once: no request
    /// was sent. Without a tracer, nothing.
    package func traceHit(_ operation: String) {
        #if DistributedTracingSupport
        guard let tracer else { return }
        let span = tracer.startSpan(operation, context: ServiceContext.current ?? .topLevel, ofKind: .client)
        describe(span, operation: operation, hit: true)
        span.end()
        #endif
    }

    /// A read that missed: `body` (the fetch, whose request has its own span) runs inside a span named as the read
    /// with `kv.near_cache.hit` false. Without a tracer, just `body`.
    package nonisolated(nonsending) func traceMiss<T>(_ operation: String, _ body: () async throws(KVError) -> T) async throws(KVError) -> T {
        #if DistributedTracingSupport
        if let tracer {
            let span = tracer.startSpan(operation, context: ServiceContext.current ?? .topLevel, ofKind: .client)
            defer { span.end() }
            describe(span, operation: operation, hit: false)
            let outcome: Result<T, KVError> = await ServiceContext.$current.withValue(span.context) {
                do throws(KVError) { return .success(try await body()) } catch { return .failure(error) }
            }
            do throws(KVError) {
                return try outcome.get()
            } catch {
                span.attributes["error.type"] = error.code.identifier
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error))
                throw error
            }
        }
        #endif
        return try await body()
    }

    #if DistributedTracingSupport
    private func describe(_ span: any Span, operation: String, hit: Bool) {
        span.attributes["db.system.name"] = "redis"
        span.attributes["db.operation.name"] = operation
        span.attributes["db.namespace"] = String(database)
        span.attributes["server.address"] = serverAddress
        if let serverPort { span.attributes["server.port"] = serverPort }
        span.attributes["kv.near_cache.hit"] = hit
    }
    #endif
}
