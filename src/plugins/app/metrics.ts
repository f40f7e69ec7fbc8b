import { createServer, type Server } from 'node:http'
import { sql } from 'drizzle-orm'
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { queryRows, type Database } from '../../db/connection.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry
  }
}

export interface MetricsPluginOptions {
  database: Database
}

interface OutboxRow {
  pending: string | number
  retrying: string | number
  failed: string | number
  lag_seconds: string | number | null
  head: string | number | null
}

/**
 * Prometheus metrics of this process, in its own registry (served by `metricsServer` on a
 * separate loopback port, see METRICS_PORT): requests by route and status, their latency, the
 * database pool, the webhook outbox and change-feed lag (read from the database at scrape time),
 * and the Node defaults (event-loop delay, memory, GC).
 */
export default fp<MetricsPluginOptions>(
  async (app, options) => {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const labelNames = ['method', 'route', 'status_code'] as const
    const requests = new Counter({
      name: 'zi_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status',
      labelNames,
      registers: [registry],
    })
    const duration = new Histogram({
      name: 'zi_http_request_duration_seconds',
      help: 'time to answer an HTTP request, by method, route template and status',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    })
    app.addHook('onResponse', async (request, reply) => {
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? '(unmatched)',
        status_code: String(reply.statusCode),
      }
      requests.inc(labels)
      duration.observe(labels, reply.elapsedTime / 1000)
    })

    const database = options.database
    new Gauge({
      name: 'zi_db_pool_connections',
      help: 'database connections of this process by state (total, idle, waiting clients, max); the embedded database has one',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const stats = database.poolStats?.() ?? { total: 1, idle: 0, waiting: 0, max: 1 }
        for (const [state, value] of Object.entries(stats)) this.set({ state }, value)
      },
    })

    // One query per scrape for the database gauges: each gauge's collect awaits the same run.
    let values = { up: 0, pending: 0, retrying: 0, failed: 0, lag: 0, head: 0, seconds: 0 }
    let running: Promise<void> | null = null
    const refresh = (): Promise<void> =>
      (running ??= (async () => {
        const started = performance.now()
        try {
          const [row] = await queryRows<OutboxRow>(
            database.db,
            sql`select
              (select count(*) from webhook_deliveries where status = 'pending' and attempts = 0) as pending,
              (select count(*) from webhook_deliveries where status = 'pending' and attempts > 0) as retrying,
              (select count(*) from webhook_deliveries where status = 'failed') as failed,
              (select extract(epoch from clock_timestamp() - min(e.occurred_at)) from webhook_deliveries d join events e on e.id = d.event_id where d.status = 'pending') as lag_seconds,
              (select max(id) from events) as head`,
          )
          values = {
            up: 1,
            pending: Number(row?.pending ?? 0),
            retrying: Number(row?.retrying ?? 0),
            failed: Number(row?.failed ?? 0),
            lag: Math.max(0, Number(row?.lag_seconds ?? 0)),
            head: Number(row?.head ?? 0),
            seconds: 0,
          }
        } catch (error) {
          app.log.warn({ err: error }, 'metrics: the database did not answer')
          values = { ...values, up: 0 }
        }
        values.seconds = (performance.now() - started) / 1000
      })().finally(() => {
        setImmediate(() => (running = null))
      }))
    const dbGauge = (
      name: string,
      help: string,
      read: (v: typeof values) => Record<string, number>,
      labelNames: string[] = [],
    ) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          await refresh()
          for (const [label, value] of Object.entries(read(values))) {
            if (label === '') this.set(value)
            else this.set({ state: label }, value)
          }
        },
      })
    dbGauge('zi_metrics_database_up', '1 when the database answered the scrape-time queries', (v) => ({ '': v.up }))
    dbGauge('zi_metrics_scrape_database_seconds', 'time the scrape-time database queries took', (v) => ({
      '': v.seconds,
    }))
    dbGauge(
      'zi_webhook_outbox_deliveries',
      'webhook deliveries by state: pending (not tried yet), retrying (failed attempts, will retry), failed (gave up)',
      (v) => ({ pending: v.pending, retrying: v.retrying, failed: v.failed }),
      ['state'],
    )
    dbGauge(
      'zi_change_feed_lag_seconds',
      'age of the oldest change-feed event still waiting for delivery to a webhook subscriber (0 when none waits)',
      (v) => ({ '': v.lag }),
    )
    dbGauge('zi_change_feed_head', 'id of the newest change-feed event', (v) => ({ '': v.head }))
    app.decorate('metrics', registry)
  },
  { name: 'metrics', dependencies: ['database'] },
)

/** A bare HTTP server answering GET /metrics from `registry`, for METRICS_HOST:METRICS_PORT. */
export function metricsServer(registry: Registry): Server {
  return createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n')
      return
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    )
  })
}
