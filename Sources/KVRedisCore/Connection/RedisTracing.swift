#if DistributedTracingSupport
import KVCore
import KVRedisConfiguration
import Tracing

/// A client span around each request a connection sends (one command, or a pipeline: a batch's chunk, a
/// compare-and-set script, `GET` + `PTTL`), named and attributed per OpenTelemetry's database conventions:
/// `db.system.name` redis, `db.operation.name` (the command, or `BATCH GET` / `BATCH` for a pipeline),
/// `db.operation.batch.size`, `db.namespace` (the database number), `server.address` and `server.port` (or the
/// socket path), and on failure `error.type` (the ``KVCore/KVError/Code``) with the error recorded.
///
/// Keys and values never go into a span. The tracer is the one active when the connection is made, at store
/// creation (`InstrumentationSystem.tracer`: bootstrapped, or scoped with `withTracer`), as valkey-swift takes
/// it from its configuration: looking it up per request (a reader lock and two existential casts) cost up to a
/// quarter of the concurrent rows' throughput with no tracer at all. With the no-op tracer no span is made.
enum RedisTracing {
    /// The active tracer, or nil when it is the no-op one.
    static func activeTracer() -> (any Tracer)? {
        let tracer = InstrumentationSystem.tracer
        return tracer is NoOpTracer ? nil : tracer
    }

    static nonisolated(nonsending) func traced<T>(
        _ commands: [RedisCommand], configuration: RedisConnectionConfiguration, tracer: any Tracer,
        _ body: nonisolated(nonsending) () async throws(RedisFailure) -> T
    ) async throws(RedisFailure) -> T {
        let operation = operationName(commands)
        let span = tracer.startSpan(operation, context: ServiceContext.current ?? .topLevel, ofKind: .client)
        defer { span.end() }
        span.attributes["db.system.name"] = "redis"
        span.attributes["db.operation.name"] = operation
        if commands.count > 1 { span.attributes["db.operation.batch.size"] = commands.count }
        span.attributes["db.namespace"] = String(configuration.settings.database)
        if let path = configuration.unixSocketPath {
            span.attributes["server.address"] = path
            span.attributes["network.transport"] = "unix"
        } else {
            span.attributes["server.address"] = configuration.endpoint.host
            span.attributes["server.port"] = configuration.endpoint.port
        }
        do {
            return try await body()
        } catch {
            span.attributes["error.type"] = error.error.code.identifier
            span.recordError(error.error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    /// `GET`; `BATCH SET` for a pipeline of one command; `BATCH` for a mixed one.
    static func operationName(_ commands: [RedisCommand]) -> String {
        guard let first = commands.first?.name else { return "BATCH" }
        if commands.count == 1 { return first }
        return commands.dropFirst().allSatisfy({ $0.nameBytes.elementsEqual(commands[0].nameBytes) }) ? "BATCH \(first)" : "BATCH"
    }
}
#endif
