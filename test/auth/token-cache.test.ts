import t, { type Test } from 'tap'
import { eq } from 'drizzle-orm'
import pg from 'pg'
import { buildApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { LISTENER_APPLICATION_NAME } from '../../src/db/notifications.js'
import { createPrincipalWithToken } from '../../src/modules/auth/commands.js'
import { systemContext } from '../../src/lib/command.js'
import { apiTokens } from '../../src/modules/auth/tables.js'
import { TokenCache } from '../../src/modules/auth/token-cache.js'
import { createTestDatabase } from '../helpers/database.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertSmallTree } from '../helpers/units.js'

const db = await createTestDatabase()
t.teardown(() => db.destroy())

/** Two replicas of the service on one database (PostgreSQL: two pools and two listeners). */
async function replica(t: Test, env: Record<string, string> = {}): Promise<App> {
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', ...env }), database: db.database })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

/** Waits until `app` has processed every notification committed so far (they arrive in commit order). */
async function settled(app: App): Promise<void> {
  const marker = `sync:${Math.random()}`
  const seen = new Promise<void>((resolve) => {
    const original = app.auth.cache.invalidate.bind(app.auth.cache)
    app.auth.cache.invalidate = (payload: string) => {
      original(payload)
      if (payload === marker) {
        app.auth.cache.invalidate = original
        resolve()
      }
    }
  })
  await app.db.execute(`select pg_notify('zi_auth', '${marker}')` as never)
  await seen
}

t.test('a change through one replica is refused by the other on its next request', async (t) => {
  const one = await replica(t)
  const two = await replica(t)
  const admin = await createToken({ app: one }, 'admin')
  const tree = await insertSmallTree({ app: one })
  const target = await createPrincipalWithToken(systemContext(one.db, 'test'), {
    name: 'evaluator',
    kind: 'user',
    role: 'evaluator',
    unitId: tree.opdA.id,
  })
  const me = (app: App) => app.inject({ method: 'GET', url: '/v1/me', headers: bearer(target.token) })
  // The grant's own notification must not race the first look-up (a raced fill is dropped, by design).
  await settled(two)

  const first = await me(two)
  t.equal(first.statusCode, 200)
  t.same(first.json().scope.unit_ids, [tree.opdA.id])
  t.ok(two.auth.cache.size > 0, 'the other replica now has the token cached')
  t.equal((await me(two)).statusCode, 200, 'served from its cache')

  // A grant added through one replica: the other sees the wider scope at once.
  const grant = await one.inject({
    method: 'POST',
    url: `/v1/principals/${target.principal_id}/grants`,
    headers: bearer(admin),
    payload: { role: 'evaluator', unit_id: tree.opdB.id },
  })
  t.equal(grant.statusCode, 201)
  await settled(two)
  t.same(
    [...(await me(two)).json().scope.unit_ids].sort(),
    [tree.opdA.id, tree.opdB.id].sort(),
    'new grant visible on the other replica',
  )

  // Removing every grant of the role: refused at once.
  const principal = (
    await one.inject({ method: 'GET', url: `/v1/principals/${target.principal_id}`, headers: bearer(admin) })
  ).json()
  for (const g of principal.grants) {
    t.equal(
      (
        await one.inject({
          method: 'DELETE',
          url: `/v1/principals/${target.principal_id}/grants/${g.id}`,
          headers: bearer(admin),
        })
      ).statusCode,
      204,
    )
  }
  await settled(two)
  const ungranted = await me(two)
  t.equal(ungranted.statusCode, 401)
  t.equal(ungranted.json().code, 'role_not_granted')
  const back = await one.inject({
    method: 'POST',
    url: `/v1/principals/${target.principal_id}/grants`,
    headers: bearer(admin),
    payload: { role: 'evaluator', unit_id: tree.opdA.id },
  })
  t.equal(back.statusCode, 201)
  await settled(two)
  t.equal((await me(two)).statusCode, 200)

  // Disabling the principal.
  t.equal(
    (
      await one.inject({
        method: 'PATCH',
        url: `/v1/principals/${target.principal_id}`,
        headers: bearer(admin),
        payload: { disabled: true },
      })
    ).statusCode,
    200,
  )
  await settled(two)
  const disabled = await me(two)
  t.equal(disabled.statusCode, 401)
  t.equal(disabled.json().code, 'principal_disabled')
  t.equal(
    (
      await one.inject({
        method: 'PATCH',
        url: `/v1/principals/${target.principal_id}`,
        headers: bearer(admin),
        payload: { disabled: false },
      })
    ).statusCode,
    200,
  )
  await settled(two)
  t.equal((await me(two)).statusCode, 200)

  // Revoking the token.
  const revoke = await one.inject({ method: 'DELETE', url: `/v1/tokens/${target.id}`, headers: bearer(admin) })
  t.equal(revoke.statusCode, 200)
  await settled(two)
  const revoked = await me(two)
  t.equal(revoked.statusCode, 401)
  t.equal(revoked.json().code, 'token_revoked')
  t.equal((await me(one)).statusCode, 401, 'and on the replica that revoked it')
})

t.test('last_used_at: written off the request path, to the minute, and on close', async (t) => {
  const app = await replica(t, { TOKEN_USAGE_FLUSH_MS: '60000' })
  const target = await createPrincipalWithToken(systemContext(app.db, 'test'), {
    name: 'reader',
    kind: 'service',
    role: 'viewer',
  })
  const lastUsed = async () =>
    (await app.db.select({ at: apiTokens.lastUsedAt }).from(apiTokens).where(eq(apiTokens.id, target.id)))[0]?.at ??
    null
  const before = Date.now()
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(target.token) })).statusCode, 200)
  t.equal(await lastUsed(), null, 'nothing written by the request itself')
  await app.auth.flushUsage()
  const at = await lastUsed()
  t.ok(at && at.getTime() >= before - 1000 && at.getTime() <= Date.now() + 1000, 'the flush wrote the time of use')
  // The next use is kept until the process closes, and written then.
  await new Promise((r) => setTimeout(r, 20))
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(target.token) })).statusCode, 200)
  await app.close()
  const closed = await lastUsed()
  t.ok(closed && at && closed.getTime() > at.getTime(), 'flushed on close')
})

const expiresAt = (token: { expires_at: string | null }) => new Date(token.expires_at!).getTime()

t.test('a verified token is served from the cache only while it is valid', async (t) => {
  const app = await replica(t, { AUTH_CACHE_TTL_MS: '2000' })
  const soon = new Date(Date.now() + 1500)
  const target = await createPrincipalWithToken(systemContext(app.db, 'test'), {
    name: 'short',
    kind: 'service',
    role: 'viewer',
    expiresAt: soon,
  })
  await settled(app)
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(target.token) })).statusCode, 200)
  // A change the triggers do not see (written around them) is still picked up after the safety lifetime.
  await app.db.execute(`alter table api_tokens disable trigger api_tokens_auth_notify` as never)
  await app.db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, target.id))
  await app.db.execute(`alter table api_tokens enable trigger api_tokens_auth_notify` as never)
  t.equal(
    (await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(target.token) })).statusCode,
    200,
    'within the lifetime: cached',
  )
  await new Promise((r) => setTimeout(r, 2100))
  const late = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(target.token) })
  t.equal(late.json().code, 'token_revoked', 'after the safety lifetime: looked up again')

  // With the default lifetime (30 s) the entry outlives the token: the cache checks the expiry itself.
  const lasting = await replica(t)
  const other = await createPrincipalWithToken(systemContext(lasting.db, 'test'), {
    name: 'expiring',
    kind: 'service',
    role: 'viewer',
    expiresAt: new Date(Date.now() + 2500),
  })
  await settled(lasting)
  t.equal((await lasting.inject({ method: 'GET', url: '/v1/me', headers: bearer(other.token) })).statusCode, 200)
  await new Promise((r) => setTimeout(r, Math.max(0, expiresAt(other) - Date.now()) + 50))
  const expired = await lasting.inject({ method: 'GET', url: '/v1/me', headers: bearer(other.token) })
  t.equal(expired.json().code, 'token_expired', 'a cached token still expires on time')
})

t.test('the cache refuses a fill that raced an invalidation', async (t) => {
  let listening = true
  const cache = new TokenCache({ max: 10, ttlMs: 60_000, listening: () => listening })
  const principal = {
    tokenId: 'tok',
    principalId: 'p',
    name: 'n',
    role: 'viewer' as const,
    scopeAll: true,
    scopePaths: [],
  }
  const ticket = cache.ticket()
  cache.invalidate('p:someone-else')
  cache.set(ticket, 'h', principal, null)
  t.equal(cache.get('h'), undefined, 'looked up before a change, stored after it: dropped')
  cache.set(cache.ticket(), 'h', principal, null)
  t.same(cache.get('h'), principal)
  cache.invalidate('p:p')
  t.equal(cache.get('h'), undefined, 'principal notification drops its tokens')
  cache.set(cache.ticket(), 'h', principal, null)
  cache.invalidate('t:tok')
  t.equal(cache.get('h'), undefined, 'token notification drops it')
  cache.set(cache.ticket(), 'h', principal, null)
  cache.invalidate('*')
  t.equal(cache.get('h'), undefined, 'a unit move drops everything')
  cache.set(cache.ticket(), 'h', principal, null)
  listening = false
  t.equal(cache.get('h'), undefined, 'not served while notifications are not received')
})

t.test('a lost listening connection flushes the cache, which stays off until it is back', async (t) => {
  const app = await replica(t)
  const target = await createPrincipalWithToken(systemContext(app.db, 'test'), {
    name: 'conn',
    kind: 'service',
    role: 'viewer',
  })
  await settled(app)
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(target.token) })).statusCode, 200)
  t.ok(app.auth.cache.size > 0)
  if (!db.url) {
    // PGlite listens in process: there is no connection to lose; a closed listener turns the cache off.
    await app.auth.listener.close()
    t.equal(app.auth.listener.listening, false)
    await app.db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, target.id))
    t.equal(
      (await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(target.token) })).json().code,
      'token_revoked',
      'checked against the database',
    )
    return
  }
  const admin = new pg.Client({ connectionString: db.url })
  await admin.connect()
  t.teardown(() => admin.end())
  const database = new URL(db.url!).pathname.slice(1)
  const killed = await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and datname = $2`,
    [LISTENER_APPLICATION_NAME, database],
  )
  t.ok(killed.rowCount && killed.rowCount >= 1, 'the listening connections were cut')
  for (let i = 0; i < 100 && app.auth.listener.listening; i++) await new Promise((r) => setTimeout(r, 20))
  t.equal(app.auth.listener.listening, false, 'the loss is noticed')
  t.equal(app.auth.cache.size, 0, 'the cache was flushed')
  // While nothing is listening, every request is checked against the database.
  await app.db.execute(`alter table api_tokens disable trigger api_tokens_auth_notify` as never)
  await app.db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, target.id))
  await app.db.execute(`alter table api_tokens enable trigger api_tokens_auth_notify` as never)
  t.equal(
    (await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(target.token) })).json().code,
    'token_revoked',
  )
  for (let i = 0; i < 500 && !app.auth.listener.listening; i++) await new Promise((r) => setTimeout(r, 20))
  t.equal(app.auth.listener.listening, true, 'reconnected')
  const fresh = await createPrincipalWithToken(systemContext(app.db, 'test'), {
    name: 'conn2',
    kind: 'service',
    role: 'viewer',
  })
  await settled(app)
  t.equal((await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(fresh.token) })).statusCode, 200)
  t.ok(app.auth.cache.size > 0, 'caching again')
})
