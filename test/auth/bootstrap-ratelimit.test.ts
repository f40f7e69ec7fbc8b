import t from 'tap'
import { buildApp } from '../../src/app.js'
import { ConfigError, loadConfig } from '../../src/config.js'
import { createTestDatabase } from '../helpers/database.js'
import { bearer } from '../helpers/auth.js'

const BOOTSTRAP = 'bootstrap-admin-token-for-tests-0123456789'

t.test('config errors name the variable and never echo a secret', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), { name: 'ConfigError', variable: 'PORT' } as never)
  t.throws(() => loadConfig({ PORT: '70000' }), { name: 'ConfigError', variable: 'PORT' } as never)
  t.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), { name: 'ConfigError', variable: 'DATABASE_URL' } as never)
  t.throws(() => loadConfig({ TRUST_PROXY: 'maybe' }), { name: 'ConfigError', variable: 'TRUST_PROXY' } as never)
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), { name: 'ConfigError', variable: 'LOG_LEVEL' } as never)
  try {
    loadConfig({ BOOTSTRAP_ADMIN_TOKEN: 'short-secret' })
    t.fail('short bootstrap token accepted')
  } catch (err) {
    t.ok(err instanceof ConfigError)
    t.equal((err as ConfigError).variable, 'BOOTSTRAP_ADMIN_TOKEN')
    t.notOk((err as Error).message.includes('short-secret'))
  }
  const ok = loadConfig({ PORT: '8080', TRUST_PROXY: 'true', DATA_DIR: '' })
  t.equal(ok.PORT, 8080)
  t.equal(ok.TRUST_PROXY, true)
  t.equal(ok.DATA_DIR, './data', 'empty counts as unset')
})

t.test('bootstrap admin token and rate limits', async (t) => {
  const db = await createTestDatabase()
  t.teardown(() => db.destroy())
  const config = loadConfig({ LOG_LEVEL: 'silent', BOOTSTRAP_ADMIN_TOKEN: BOOTSTRAP, RATE_LIMIT_MAX: '5' })
  const app = await buildApp({ config, database: db.database })
  await app.ready()
  const me = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(BOOTSTRAP) })
  t.equal(me.statusCode, 200)
  t.equal(me.json().role, 'admin')
  await app.close()

  // A second start (another replica, or a restart) does not create a second admin.
  const again = await buildApp({ config, database: db.database })
  await again.ready()
  t.teardown(() => again.close())
  const admins = await again.inject({ method: 'GET', url: '/v1/principals?role=admin', headers: bearer(BOOTSTRAP) })
  t.equal(admins.json().items.length, 1)

  // The limit is per token: 5 per window, the 6th is 429 with Retry-After.
  const statuses: number[] = []
  let last
  for (let i = 0; i < 5; i++) {
    last = await again.inject({ method: 'GET', url: '/v1/me', headers: bearer(BOOTSTRAP) })
    statuses.push(last.statusCode)
  }
  t.ok(last)
  t.equal(last?.statusCode, 429, `statuses ${statuses.join(',')}`)
  t.match(last?.headers['content-type'], /application\/problem\+json/)
  t.equal(last?.json().code, 'rate_limited')
  t.match(String(last?.headers['retry-after']), /^\d+$/)
  // Another client (by IP, no token) has its own budget; health checks are never limited.
  const anon = await again.inject({ method: 'GET', url: '/v1/me', remoteAddress: '10.1.2.3' })
  t.equal(anon.statusCode, 401)
  for (let i = 0; i < 8; i++) t.equal((await again.inject({ method: 'GET', url: '/health/live' })).statusCode, 200)
})
