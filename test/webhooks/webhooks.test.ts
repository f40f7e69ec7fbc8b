import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { eq, sql } from 'drizzle-orm'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { queryRows } from '../../src/db/connection.js'
import { webhookSubscriptions } from '../../src/modules/webhooks/tables.js'
import { buildTestApp, type TestContext } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

/**
 * Webhooks end to end: a receiver on loopback (allowed by WEBHOOK_ALLOW_HOSTS) that fails first,
 * signatures checked here with an independent Standard Webhooks verifier, retries with backoff,
 * the delivery log, filters, the SSRF guard, and a graceful stop with a delivery in flight.
 */
interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** A receiver whose answers are scripted per path: a list of status codes, the last one repeating. */
async function receiver(t: Test, script: Record<string, number[]>, hold?: { path: string; until: Promise<void> }) {
  const received: Received[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => (body += c))
    req.on('end', async () => {
      const path = req.url ?? '/'
      received.push({ path, headers: req.headers, body })
      if (hold && path === hold.path) await hold.until
      const codes = script[path] ?? [404]
      const n = received.filter((r) => r.path === path).length
      res.statusCode = codes[Math.min(n, codes.length) - 1]!
      res.end(res.statusCode < 300 ? 'ok' : 'nope')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received }
}

/** Standard Webhooks verification, written from the spec (not the service's code). */
function verify(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = String(headers['webhook-id'])
  const ts = String(headers['webhook-timestamp'])
  const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    .update(`${id}.${ts}.${body}`)
    .digest()
  return String(headers['webhook-signature'])
    .split(' ')
    .some((sig) => {
      const [version, value] = sig.split(',')
      const given = Buffer.from(value ?? '', 'base64')
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)
    })
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const KEY = randomBytes(32).toString('base64')
const ENV = {
  RATE_LIMIT_MAX: '100000',
  WEBHOOK_SECRET_KEY: KEY,
  WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
  WEBHOOK_POLL_MS: '20',
  WEBHOOK_RETRY_BASE_MS: '20',
  WEBHOOK_MAX_ATTEMPTS: '3',
  WEBHOOK_TIMEOUT_MS: '10000',
}

async function setup(ctx: TestContext) {
  const tree = await insertSmallTree(ctx)
  const period = await insertPeriod(ctx)
  const admin = bearer(await createToken(ctx, 'admin'))
  let n = 0
  const declare = async (unitId = tree.a1.id) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/declarations',
      headers: admin,
      payload: {
        unit_id: unitId,
        period_id: (await insertPeriod(ctx, { code: `ZI-W${++n}` })).id,
        target: 'WBK',
        declared_on: '2026-01-20',
      },
    })
    if (res.statusCode !== 201) throw new Error(res.body)
    return res.json().id as string
  }
  const subscribe = async (payload: Record<string, unknown>) =>
    ctx.app.inject({ method: 'POST', url: '/v1/webhooks', headers: admin, payload })
  const log = async (id: string) =>
    (await ctx.app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries`, headers: admin })).json().items as {
      status: string
      attempts: number
      event_type: string
      id: string
      last_error: string | null
      log: { attempt: number; status_code: number | null; error: string | null }[]
    }[]
  return { tree, period, admin, declare, subscribe, log }
}

t.test('webhooks', async (t) => {
  const ctx = await buildTestApp(t, ENV)
  const { app } = ctx
  const { tree, admin, declare, subscribe, log } = await setup(ctx)
  const rx = await receiver(t, { '/flaky': [500, 200], '/down': [503], '/ok': [200], '/a-only': [200] })

  t.test('subscriptions: the secret is shown once and stored sealed; admin only', async (t) => {
    const res = await subscribe({ url: `${rx.base}/ok`, description: 'dashboard', event_types: ['stage.submitted'] })
    t.equal(res.statusCode, 201, res.body)
    const created = res.json()
    t.match(created.secret, /^whsec_[A-Za-z0-9+/]{43}=$/)
    const read = await app.inject({ method: 'GET', url: `/v1/webhooks/${created.id}`, headers: admin })
    t.equal(read.statusCode, 200)
    t.notOk('secret' in read.json(), 'never shown again')
    const [row] = await app.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, created.id))
    t.notOk(row!.secretCiphertext.includes(created.secret.slice(6)), 'stored encrypted')
    const audit = await queryRows<{ after: unknown }>(
      app.db,
      sql`select after from audit_events where entity_id = ${created.id}`,
    )
    t.notOk(JSON.stringify(audit).includes(created.secret.slice(6)), 'not in the audit trail either')
    t.notOk(JSON.stringify(ctx.logs).includes(created.secret.slice(6)), 'nor in the logs')
    const viewer = bearer(await createToken(ctx, 'viewer'))
    t.equal((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: viewer })).statusCode, 403)
    const list = await app.inject({ method: 'GET', url: '/v1/webhooks', headers: admin })
    t.ok(list.json().items.some((w: { id: string }) => w.id === created.id))
    const patched = await app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/${created.id}`,
      headers: { ...admin, 'if-match': '"1"' },
      payload: { active: false },
    })
    t.equal(patched.statusCode, 200)
    t.match(patched.json(), { active: false, version: 2 })
    const stale = await app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/${created.id}`,
      headers: { ...admin, 'if-match': '"1"' },
      payload: { active: true },
    })
    t.equal(stale.statusCode, 412)
    const gone = await app.inject({ method: 'DELETE', url: `/v1/webhooks/${created.id}`, headers: admin })
    t.equal(gone.statusCode, 204)
    t.equal((await app.inject({ method: 'GET', url: `/v1/webhooks/${created.id}`, headers: admin })).statusCode, 404)
  })

  t.test('a signed delivery, retried after a 500, logged attempt by attempt', async (t) => {
    const sub = (await subscribe({ url: `${rx.base}/flaky`, event_types: ['declaration.created'] })).json()
    const declarationId = await declare()
    const [delivery] = await until('the delivery to succeed', async () => {
      const items = await log(sub.id)
      return items[0]?.status === 'delivered' ? items : undefined
    })
    const hits = rx.received.filter((r) => r.path === '/flaky')
    t.equal(hits.length, 2, 'answered 500 first, then 200')
    t.equal(delivery!.attempts, 2)
    t.same(
      delivery!.log.map((l) => [l.attempt, l.status_code]),
      [
        [1, 500],
        [2, 200],
      ],
    )
    t.match(delivery!.log[0]!.error, /500/)
    for (const hit of hits) {
      t.ok(verify(sub.secret, hit.headers, hit.body), 'the signature verifies with the secret')
      t.equal(hit.headers['webhook-id'], delivery!.id, 'webhook-id is the delivery id, the same on every retry')
      t.match(String(hit.headers['webhook-timestamp']), /^\d{10}$/)
      t.equal(hit.headers['content-type'], 'application/json')
    }
    t.notOk(
      verify('whsec_' + randomBytes(32).toString('base64'), hits[0]!.headers, hits[0]!.body),
      'another secret does not verify',
    )
    t.notOk(
      verify(sub.secret, hits[0]!.headers, hits[0]!.body.replace('WBK', 'WBBM')),
      'a changed body does not verify',
    )
    const payload = JSON.parse(hits[1]!.body)
    t.match(payload, {
      type: 'declaration.created',
      data: { type: 'declaration.created', unit_id: tree.a1.id, subject: { type: 'declaration', id: declarationId } },
    })
    t.equal(hits[0]!.body, hits[1]!.body, 'the same body on every attempt')
  })

  t.test('gives up after WEBHOOK_MAX_ATTEMPTS', async (t) => {
    const sub = (await subscribe({ url: `${rx.base}/down`, event_types: ['declaration.created'] })).json()
    await declare()
    const [delivery] = await until('the delivery to fail', async () => {
      const items = await log(sub.id)
      return items[0]?.status === 'failed' ? items : undefined
    })
    t.equal(delivery!.attempts, 3)
    t.same(
      delivery!.log.map((l) => l.status_code),
      [503, 503, 503],
    )
    const failed = await app.inject({
      method: 'GET',
      url: `/v1/webhooks/${sub.id}/deliveries?status=failed`,
      headers: admin,
    })
    t.equal(failed.json().items.length, 1)
  })

  t.test('filters: event types and a unit subtree', async (t) => {
    const sub = (
      await subscribe({ url: `${rx.base}/a-only`, unit_id: tree.opdA.id, event_types: ['declaration.created'] })
    ).json()
    const other = (await subscribe({ url: `${rx.base}/ok`, event_types: ['stage.approved'] })).json()
    await declare(tree.b1.id)
    const inA = await declare(tree.a2.id)
    const [delivery] = await until('the opdA delivery', async () => {
      const items = await log(sub.id)
      return items[0]?.status === 'delivered' ? items : undefined
    })
    t.equal((await log(sub.id)).length, 1, 'the declaration of opdB is not sent')
    t.equal(JSON.parse(rx.received.find((r) => r.headers['webhook-id'] === delivery!.id)!.body).data.subject.id, inA)
    t.same(await log(other.id), [], 'other event types are not queued')
  })

  t.test('rotating the secret signs the next deliveries with the new one', async (t) => {
    const sub = (await subscribe({ url: `${rx.base}/ok`, event_types: ['declaration.created'] })).json()
    const rotated = await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/secret`, headers: admin })
    t.equal(rotated.statusCode, 200)
    const secret = rotated.json().secret
    t.not(secret, sub.secret)
    await declare()
    const [delivery] = await until('the delivery', async () => {
      const items = await log(sub.id)
      return items[0]?.status === 'delivered' ? items : undefined
    })
    const hit = rx.received.find((r) => r.headers['webhook-id'] === delivery!.id)!
    t.ok(verify(secret, hit.headers, hit.body))
    t.notOk(verify(sub.secret, hit.headers, hit.body))
  })

  t.test('two replicas share the outbox: each delivery is sent once', async (t) => {
    const replica = await buildApp({ config: ctx.config, database: ctx.db.database, logger: false })
    await replica.ready()
    t.teardown(() => replica.close())
    const sub = (await subscribe({ url: `${rx.base}/ok`, event_types: ['declaration.created'] })).json()
    for (let i = 0; i < 12; i++) await declare()
    const items = await until('every delivery', async () => {
      const items = await log(sub.id)
      return items.length === 12 && items.every((i) => i.status === 'delivered') ? items : undefined
    })
    t.ok(
      items.every((i) => i.attempts === 1 && i.log.length === 1),
      'one attempt each',
    )
    const sent = rx.received.filter((r) => items.some((i) => i.id === r.headers['webhook-id']))
    t.equal(sent.length, 12, 'no delivery sent twice')
  })

  t.test('SSRF guard: refused at subscription time', async (t) => {
    const cases: [string, string][] = [
      ['https://10.1.2.3/hook', 'address_not_public'],
      ['https://169.254.169.254/latest/meta-data', 'address_not_public'],
      ['https://[::1]/hook', 'address_not_public'],
      ['https://[fd00::1]/hook', 'address_not_public'],
      ['https://localhost/hook', 'address_not_public'],
      ['http://example.org/hook', 'https_required'],
      ['ftp://example.org/hook', 'https_required'],
      ['https://user:secret@127.0.0.1/hook', 'credentials_not_allowed'],
    ]
    for (const [url, rule] of cases) {
      const res = await subscribe({ url })
      t.equal(res.statusCode, 422, url)
      t.equal(res.json().code, 'webhook_url_refused')
      t.same(
        res.json().errors[0],
        { pointer: '/body/url', rule, message: res.json().errors[0].message },
        `${url}: ${rule}`,
      )
    }
    t.equal((await subscribe({ url: 'https://127.0.0.1:1/hook' })).statusCode, 201, 'the allow-listed host is accepted')
  })

  t.test('SSRF guard: checked again before each delivery', async (t) => {
    const sub = (await subscribe({ url: `${rx.base}/ok`, event_types: ['declaration.created'] })).json()
    // as if the host's DNS now answered a private address
    await app.db
      .update(webhookSubscriptions)
      .set({ url: 'https://10.9.8.7/hook' })
      .where(eq(webhookSubscriptions.id, sub.id))
    await declare()
    const [delivery] = await until('the refusals', async () => {
      const items = await log(sub.id)
      return items[0]?.status === 'failed' ? items : undefined
    })
    t.ok(
      delivery!.log.every((l) => l.status_code === null && /address_not_public/.test(l.error ?? '')),
      'never sent',
    )
  })

  t.test('without WEBHOOK_SECRET_KEY subscriptions are refused; loopback without the allow-list too', async (t) => {
    const bare = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent', WEBHOOK_WORKER: 'false' }),
      database: ctx.db.database,
      logger: false,
    })
    t.teardown(() => bare.close())
    const res = await bare.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: admin,
      payload: { url: `${rx.base}/ok` },
    })
    t.equal(res.statusCode, 503)
    t.equal(res.json().code, 'webhooks_not_configured')
    const strict = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent', WEBHOOK_WORKER: 'false', WEBHOOK_SECRET_KEY: KEY }),
      database: ctx.db.database,
      logger: false,
    })
    t.teardown(() => strict.close())
    const loop = await strict.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: admin,
      payload: { url: 'https://127.0.0.1:8443/hook' },
    })
    t.equal(loop.statusCode, 422)
    t.equal(loop.json().errors[0].rule, 'address_not_public')
    const plain = await strict.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: admin,
      payload: { url: `${rx.base}/ok` },
    })
    t.equal(plain.json().errors[0].rule, 'https_required', 'http only for allow-listed hosts')
  })
})

t.test('closing the app lets the delivery in flight finish', async (t) => {
  const ctx = await buildTestApp(t, ENV)
  const { app } = ctx
  const { declare, subscribe } = await setup(ctx)
  let release!: () => void
  const until_ = new Promise<void>((r) => (release = r))
  const rx = await receiver(t, { '/slow': [200] }, { path: '/slow', until: until_ })
  const sub = (await subscribe({ url: `${rx.base}/slow`, event_types: ['declaration.created'] })).json()
  await declare()
  await until('the receiver to get the request', async () => (rx.received.length > 0 ? true : undefined))
  let closed = false
  const closing = app.close().then(() => (closed = true))
  // close has begun once requests are turned away; the worker's stop then waits for the attempt
  await until('the app to start closing', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/live' }).catch(() => undefined)
    return !res || res.statusCode === 503 ? true : undefined
  })
  t.notOk(closed, 'close waits for the attempt in flight')
  release()
  await closing
  const rows = await queryRows<{ status: string; attempts: number; logged: string }>(
    ctx.db.database.db,
    sql`select status, attempts, (select count(*) from webhook_delivery_attempts a where a.delivery_id = d.id)::text as logged from webhook_deliveries d where subscription_id = ${sub.id}`,
  )
  t.same(rows, [{ status: 'delivered', attempts: 1, logged: '1' }], 'the attempt was recorded before the app closed')
})
