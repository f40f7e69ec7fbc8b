import closeWithGrace from 'close-with-grace'
import type { Server } from 'node:http'
import { ConfigError, loadConfig } from './config.js'
import { isDatabaseUnavailable } from './lib/db-errors.js'
import { startTracing } from './lib/tracing.js'

async function main(): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78) // EX_CONFIG
    }
    throw err
  }
  // Before the app is loaded, so that pg and Fastify are instrumented (nothing loads without the variable).
  const tracing = await startTracing(config)
  const { buildApp } = await import('./app.js')
  const { DataDirInUseError } = await import('./db/connection.js')
  let app
  try {
    app = await buildApp({ config })
  } catch (err) {
    if (err instanceof DataDirInUseError || err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78)
    }
    throw err
  }
  if (tracing) app.log.info({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT }, 'exporting OpenTelemetry traces')
  let metrics: Server | null = null
  // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the pool; give up after 25 s.
  const closer = closeWithGrace(
    { delay: 25_000, skip: ['uncaughtException', 'unhandledRejection'] },
    async ({ signal }) => {
      app.log.info({ signal }, 'shutting down')
      metrics?.close()
      await app.close()
      await tracing?.shutdown()
    },
  )
  // A lost database connection is never fatal: the pool replaces it and requests answer 503
  // meanwhile. Any other uncaught error is: log it, drain as on SIGTERM, exit 1.
  let failing = false
  const onUncaught = (err: unknown) => {
    if (isDatabaseUnavailable(err)) {
      app.log.warn({ err }, 'database connection lost outside a request; carrying on')
      return
    }
    if (failing) process.exit(1)
    failing = true
    app.log.error({ err }, 'shutting down after an error')
    closer.uninstall()
    setTimeout(() => process.exit(1), 25_000).unref()
    void app.close().finally(() => process.exit(1))
  }
  process.on('uncaughtException', onUncaught)
  process.on('unhandledRejection', onUncaught)
  // Metrics are asked for (METRICS_ENABLED=true): their port is bound before the API's, so a busy
  // one stops start-up with a message instead of leaving a server whose scrape target is missing.
  if (config.METRICS_ENABLED) {
    const { metricsServer } = await import('./plugins/app/metrics.js')
    const server = metricsServer(app.metrics)
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(config.METRICS_PORT, config.METRICS_HOST, () => resolve())
      })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
      console.error(
        `METRICS_PORT ${config.METRICS_PORT} on ${config.METRICS_HOST} is already in use (another zi-tracker on this host?): set METRICS_PORT to a free port, or METRICS_ENABLED=false`,
      )
      closer.uninstall()
      await app.close()
      process.exit(78)
    }
    metrics = server
    app.log.info(`metrics at http://${config.METRICS_HOST}:${config.METRICS_PORT}/metrics`)
  }
  await app.listen({ port: config.PORT, host: config.HOST })
}

await main()
