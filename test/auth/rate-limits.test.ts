import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import type { InjectOptions } from 'fastify'
import { buildApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createTestDatabase } from '../helpers/database.js'
import { bearer, createToken } from '../helpers/auth.js'

// Never skipped: CI starts Redis (.ci/run) and this file fails when it cannot reach it.
const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379'
const MAX = 3

const db = await createTestDatabase()
t.teardown(() => db.destroy())

async function appWith(t: Test, env: Record<string, string>): Promise<App> {
  const app = await buildApp({
    config: loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_MAX: String(MAX), ...env }),
    database: db.database,
  })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

type Request = InjectOptions

/** MAX requests answered `expected`, then 429 with Retry-After. */
async function exhaust(t: Test, app: App, request: Request, expected: number | number[], what: string) {
  const ok = Array.isArray(expected) ? expected : [expected]
  for (let i = 0; i < MAX; i++) {
    const res = await app.inject(request)
    t.ok(ok.includes(res.statusCode), `${what}: request ${i + 1} answered ${res.statusCode}`)
    t.equal(res.headers['x-ratelimit-limit'], String(MAX), `${what}: X-RateLimit-Limit`)
    t.equal(res.headers['x-ratelimit-remaining'], String(MAX - i - 1), `${what}: X-RateLimit-Remaining`)
  }
  const limited = await app.inject(request)
  t.equal(limited.statusCode, 429, `${what}: request ${MAX + 1} is 429`)
  t.match(String(limited.headers['retry-after']), /^[1-9]\d*$/, `${what}: Retry-After in seconds`)
  return limited
}

for (const store of ['memory', 'redis'] as const) {
  t.test(`every kind of request is counted (${store} store)`, async (t) => {
    const prefix = `zi-test-${randomBytes(6).toString('hex')}:`
    const env: Record<string, string> = store === 'redis' ? { REDIS_URL, RATE_LIMIT_REDIS_PREFIX: prefix } : {}
    const redis = store === 'redis' ? new Redis(REDIS_URL) : null
    t.teardown(async () => {
      if (!redis) return
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length > 0) await redis.del(...keys)
      await redis.quit()
    })
    const app = await appWith(t, env)
    t.equal(app.rateLimits.store, store)
    const admin = await createToken({ app }, 'admin')
    const integration = await createToken({ app }, 'integration')

    const noToken = await exhaust(t, app, { method: 'GET', url: '/v1/me', remoteAddress: '10.0.0.1' }, 401, 'no token')
    t.match(noToken.headers['content-type'], /application\/problem\+json/)
    t.equal(noToken.json().code, 'rate_limited')

    await exhaust(
      t,
      app,
      { method: 'GET', url: '/v1/me', remoteAddress: '10.0.0.2', headers: bearer(`zit_0badc0de_${'x'.repeat(43)}`) },
      401,
      'wrong token',
    )
    // Another wrong token from the same IP is not a fresh budget.
    const guess = await app.inject({
      method: 'GET',
      url: '/v1/me',
      remoteAddress: '10.0.0.2',
      headers: bearer(`zit_12345678_${'y'.repeat(43)}`),
    })
    t.equal(guess.statusCode, 429, 'guessing another token from the same IP is limited too')

    await exhaust(t, app, { method: 'GET', url: '/v1/no-such-route', remoteAddress: '10.0.0.3' }, 404, 'unknown path')
    await exhaust(t, app, { method: 'GET', url: '/docs', remoteAddress: '10.0.0.4' }, [200, 302], '/docs')
    await exhaust(t, app, { method: 'GET', url: '/openapi.json', remoteAddress: '10.0.0.5' }, 200, '/openapi.json')

    // A verified token has its own budget, whatever the IP it comes from.
    await exhaust(
      t,
      app,
      { method: 'GET', url: '/v1/me', remoteAddress: '10.0.0.6', headers: bearer(admin) },
      200,
      'valid token',
    )
    const elsewhere = await app.inject({
      method: 'GET',
      url: '/v1/me',
      remoteAddress: '10.0.0.7',
      headers: bearer(admin),
    })
    t.equal(elsewhere.statusCode, 429, 'the token budget is per token, not per IP')
    t.equal(
      (await app.inject({ method: 'GET', url: '/v1/me', remoteAddress: '10.0.0.7' })).statusCode,
      401,
      'the other IP still has its own budget',
    )

    // PortalRB keeps its own envelope for the 429.
    const portal = await exhaust(
      t,
      app,
      { method: 'GET', url: '/portalrb/pengusulan/unit-wbk', remoteAddress: '10.0.0.8', headers: bearer(integration) },
      [200, 404],
      'PortalRB',
    )
    t.match(portal.headers['content-type'], /^application\/json/)
    t.match(portal.json(), { error: true, code: 'RATE_LIMITED' })

    // Health checks are never limited.
    for (let i = 0; i < MAX * 3; i++) {
      t.equal((await app.inject({ method: 'GET', url: '/health/live', remoteAddress: '10.0.0.1' })).statusCode, 200)
    }
    t.equal((await app.inject({ method: 'GET', url: '/health/ready', remoteAddress: '10.0.0.1' })).statusCode, 200)
    if (redis) t.ok((await redis.keys(`${prefix}*`)).length >= 8, "the counters are in Redis under this test's prefix")
  })
}

t.test('replicas share the budget through Redis, and each counts its own in memory', async (t) => {
  const prefix = `zi-test-${randomBytes(6).toString('hex')}:`
  const redis = new Redis(REDIS_URL)
  t.teardown(async () => {
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
  })
  const [a, b] = [
    await appWith(t, { REDIS_URL, RATE_LIMIT_REDIS_PREFIX: prefix }),
    await appWith(t, { REDIS_URL, RATE_LIMIT_REDIS_PREFIX: prefix }),
  ]
  const statuses: number[] = []
  for (let i = 0; i < MAX + 1; i++)
    statuses.push(
      (await (i % 2 ? b : a).inject({ method: 'GET', url: '/v1/me', remoteAddress: '10.1.0.1' })).statusCode,
    )
  t.same(statuses, [401, 401, 401, 429], 'the fourth request, on either replica, is over the shared limit')

  const [m, n] = [await appWith(t, {}), await appWith(t, {})]
  const local: number[] = []
  for (let i = 0; i < MAX + 1; i++)
    local.push((await (i % 2 ? n : m).inject({ method: 'GET', url: '/v1/me', remoteAddress: '10.1.0.2' })).statusCode)
  t.same(local, [401, 401, 401, 401], 'in memory, each process has its own budget')
})

t.test('Redis down: requests are served, not refused', async (t) => {
  const app = await appWith(t, { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_REDIS_PREFIX: 'zi-test-down:' })
  const admin = await createToken({ app }, 'admin')
  for (let i = 0; i < MAX + 2; i++)
    t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(admin) })).statusCode, 200)
})
