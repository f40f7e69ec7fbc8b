import t from 'tap'
import type { AddressInfo } from 'node:net'
import { sql } from 'drizzle-orm'
import { metricsServer } from '../../src/plugins/app/metrics.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'

t.test('/metrics on its own port: requests, latency, pool, outbox, change-feed lag, event loop, memory', async (t) => {
  // No delivery worker: the pending delivery inserted below must stay pending.
  const ctx = await buildTestApp(t, { WEBHOOK_WORKER: 'false', METRICS_ENABLED: 'true' })
  const { app } = ctx
  const admin = bearer(await createToken(ctx, 'admin'))
  t.equal((await app.inject({ method: 'GET', url: '/v1/units' })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/v1/units' })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/v1/units', headers: admin })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/no/such/path' })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404, 'not on the API port')

  // One pending delivery of an event a minute old: outbox depth 1, lag about 60 s.
  await app.db.execute(
    sql`insert into events (type, occurred_at, subject_type, subject_id, data) values ('test.event', now() - interval '60 seconds', 'test', 'x', '{}')`,
  )
  await app.db.execute(
    sql`insert into webhook_subscriptions (url, secret_ciphertext) values ('https://hooks.example.go.id/zi', 'sealed')`,
  )
  await app.db.execute(
    sql`insert into webhook_deliveries (subscription_id, event_id) select s.id, e.id from webhook_subscriptions s, events e where e.type = 'test.event'`,
  )
  await app.db.execute(
    sql`insert into events (type, subject_type, subject_id, data) values ('test.failed', 'test', 'y', '{}')`,
  )
  // The outbox trigger on events already queued its delivery (the subscription exists): it gave up.
  await app.db.execute(
    sql`insert into webhook_deliveries (subscription_id, event_id, status, attempts) select s.id, e.id, 'failed', 8 from webhook_subscriptions s, events e where e.type = 'test.failed'
        on conflict (subscription_id, event_id) do update set status = 'failed', attempts = 8`,
  )

  const server = metricsServer(app.metrics)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const res = await fetch(`${base}/metrics`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  const text = await res.text()
  const value = (line: RegExp): number => {
    const found = text.split('\n').find((l) => line.test(l))
    t.ok(found, `a line matching ${line}`)
    return Number(found?.split(' ').pop())
  }
  t.equal(
    value(/^zi_http_requests_total\{method="GET",route="\/v1\/units",status_code="401"\}/),
    2,
    'requests by route template and status',
  )
  t.equal(value(/^zi_http_requests_total\{method="GET",route="\/v1\/units",status_code="200"\}/), 1)
  t.equal(
    value(/^zi_http_requests_total\{method="GET",route="\(unmatched\)",status_code="404"\}/),
    2,
    'unknown paths share one label (no unbounded label values)',
  )
  t.equal(value(/^zi_http_request_duration_seconds_count\{method="GET",route="\/v1\/units",status_code="401"\}/), 2)
  t.equal(
    value(/^zi_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/v1\/units",status_code="200"\}/),
    1,
  )
  t.ok(value(/^zi_db_pool_connections\{state="max"\}/) >= 1, 'pool size')
  t.ok(value(/^zi_db_pool_connections\{state="total"\}/) >= 1)
  t.equal(value(/^zi_webhook_outbox_deliveries\{state="pending"\}/), 1, 'outbox depth')
  t.equal(value(/^zi_webhook_outbox_deliveries\{state="failed"\}/), 1, 'deliveries given up')
  const lag = value(/^zi_change_feed_lag_seconds /)
  t.ok(lag >= 59 && lag < 600, `change-feed lag ≈ 60 s (${lag})`)
  t.ok(value(/^zi_change_feed_head /) >= 2)
  t.equal(value(/^zi_metrics_database_up /), 1)
  t.ok(value(/^nodejs_eventloop_lag_seconds /) >= 0, 'event-loop delay')
  t.ok(value(/^process_resident_memory_bytes /) > 0, 'process memory')
  t.ok(value(/^nodejs_heap_size_used_bytes /) > 0)
  t.equal((await fetch(`${base}/other`)).status, 404)
})
