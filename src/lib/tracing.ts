import { createRequire } from 'node:module'

export interface TracingConfig {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined
  OTEL_SERVICE_NAME: string
}

export interface Tracing {
  /** Sends the spans still buffered. */
  flush(): Promise<void>
  shutdown(): Promise<void>
}

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set: OpenTelemetry traces of every request (@fastify/otel,
 * registered on each Fastify instance as it is created) and every PostgreSQL query
 * (@opentelemetry/instrumentation-pg), exported over OTLP/HTTP to `${endpoint}/v1/traces`.
 * Without it nothing is loaded: every OpenTelemetry module is imported here, on demand.
 * Call before the app (and `pg`) is loaded.
 */
export async function startTracing(config: TracingConfig): Promise<Tracing | null> {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT
  if (!endpoint) return null
  const [
    { NodeTracerProvider },
    { BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { registerInstrumentations },
    { PgInstrumentation },
    fastifyOtel,
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-pg'),
    import('@fastify/otel'),
  ])
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.OTEL_SERVICE_NAME }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` })),
    ],
  })
  provider.register()
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new PgInstrumentation({ requireParentSpan: true }),
      new fastifyOtel.FastifyOtelInstrumentation({ registerOnInitialization: true }),
    ],
  })
  // pg is CommonJS: loading it through require now lets the instrumentation patch it; the app's
  // `import pg` then gets the same (patched) module from the cache.
  createRequire(import.meta.url)('pg')
  return {
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  }
}
