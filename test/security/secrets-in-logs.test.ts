import { randomBytes } from 'node:crypto'
import type { InjectOptions } from 'fastify'
import t from 'tap'
import { redactUrl, serializeError } from '../../src/lib/logger.js'
import { buildTestApp } from '../helpers/app.js'

const secretPart = (token: string) => token.slice(-20)

/** Every string value under a key named like a secret in a JSON body (token creation, webhook secrets…). */
function secretsIn(value: unknown, key = ''): string[] {
  if (typeof value === 'string')
    return /(^|_)(token|secret)$/i.test(key) && value.length >= 16 && !/^[0-9a-f-]{36}$/.test(value) ? [value] : []
  if (Array.isArray(value)) return value.flatMap((v) => secretsIn(v, key))
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => secretsIn(v, k))
  return []
}

t.test('tokens and secrets never reach the logs (in-process, trace level)', async (t) => {
  const bootstrap = `boot-${randomBytes(24).toString('base64url')}`
  const dbPassword = `pw-${randomBytes(12).toString('hex')}`
  const ctx = await buildTestApp(t, {
    LOG_LEVEL: 'trace',
    BOOTSTRAP_ADMIN_TOKEN: bootstrap,
    // not used to connect (the test passes its own database) but part of the configuration
    DATABASE_URL: `postgres://zi:${dbPassword}@127.0.0.1:5432/zi`,
    WEBHOOK_SECRET_KEY: Buffer.alloc(32, 9).toString('base64'),
    WEBHOOK_WORKER: 'false',
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    RATE_LIMIT_MAX: '100000',
  })
  const { app, logs } = ctx
  const secrets = new Set<string>([bootstrap, dbPassword])
  const send = async (options: InjectOptions) => {
    const res = await app.inject(options)
    try {
      for (const s of secretsIn(res.json())) secrets.add(s)
    } catch {
      /* not JSON */
    }
    return res
  }
  const as = (token: string) => ({ authorization: `Bearer ${token}` })

  t.equal(
    (await send({ method: 'GET', url: '/v1/me', headers: as(bootstrap) })).statusCode,
    200,
    'the bootstrap token works',
  )
  const principal = (
    await send({
      method: 'POST',
      url: '/v1/principals',
      headers: as(bootstrap),
      payload: { name: 'Skrip TPI', kind: 'service' },
    })
  ).json()
  await send({
    method: 'POST',
    url: `/v1/principals/${principal.id}/grants`,
    headers: as(bootstrap),
    payload: { role: 'admin' },
  })
  const created = await send({
    method: 'POST',
    url: `/v1/principals/${principal.id}/tokens`,
    headers: as(bootstrap),
    payload: { name: 'laptop', role: 'admin' },
  })
  t.equal(created.statusCode, 201)
  const token = created.json().token as string
  t.ok(secrets.has(token), 'the token from the creation response is one of the secrets looked for')

  const forged = `zit_0badc0de_${randomBytes(32).toString('base64url')}`
  const garbage = `not-a-token-${randomBytes(16).toString('hex')}`
  const requests = [
    { method: 'GET', url: '/v1/me', headers: as(token) },
    { method: 'GET', url: '/v1/me', headers: { authorization: `bearer ${token}` } },
    { method: 'GET', url: '/v1/me', headers: as(forged) },
    { method: 'GET', url: '/v1/me', headers: as(garbage) },
    { method: 'GET', url: '/v1/me', headers: { 'x-api-key': token } },
    { method: 'GET', url: '/v1/me', headers: { cookie: `session=${token}` } },
    { method: 'GET', url: `/v1/me?access_token=${token}&x=1`, headers: as(token) },
    { method: 'GET', url: `/v1/units?q=1&api_key=${token}`, headers: as(token) },
    { method: 'POST', url: '/v1/principals', headers: as(token), payload: { name: 'x', kind: 'user', token } },
    {
      method: 'PATCH',
      url: `/v1/principals/${principal.id}`,
      headers: as(token),
      payload: { name: `a\u0000${token}` },
    },
    { method: 'GET', url: `/v1/nowhere/${token}`, headers: as(token) },
  ] as InjectOptions[]
  for (const r of requests) {
    const res = await send(r)
    t.ok(res.statusCode < 500, `${r.method} ${String(r.url).slice(0, 40)} → ${res.statusCode}`)
  }
  secrets.add(forged).add(garbage)
  const doc = app.swagger() as { paths: Record<string, Record<string, unknown>> }
  if (doc.paths['/v1/webhooks']?.post) {
    const hook = await send({
      method: 'POST',
      url: '/v1/webhooks',
      headers: as(token),
      payload: { url: 'http://127.0.0.1:9/hook' },
    })
    t.equal(hook.statusCode, 201, `a webhook subscription, its signing secret shown once: ${hook.body.slice(0, 120)}`)
    t.ok(
      [...secrets].some((s) => s.startsWith('whsec_')),
      'the signing secret is one of the secrets looked for',
    )
  }
  const tokenId = (
    await send({ method: 'GET', url: `/v1/principals/${principal.id}/tokens`, headers: as(bootstrap) })
  ).json().items[0].id
  await send({ method: 'DELETE', url: `/v1/tokens/${tokenId}`, headers: as(bootstrap) })
  t.equal(
    (await send({ method: 'GET', url: '/v1/me', headers: as(token) })).statusCode,
    401,
    'a revoked token is refused (and that is logged)',
  )

  const lines = logs.map((l) => JSON.stringify(l))
  t.ok(lines.length > 20, `${lines.length} log lines captured`)
  const incoming = logs.filter((l) => (l.req as { url?: string } | undefined)?.url === '/v1/me')
  t.ok(incoming.length > 3, 'requests are logged with their headers…')
  t.ok(
    incoming.every(
      (l) =>
        (l.req as { headers: Record<string, unknown> }).headers.authorization === '[redacted]' ||
        !(l.req as { headers: Record<string, unknown> }).headers.authorization,
    ),
    '…with Authorization redacted',
  )
  t.ok(
    logs.some((l) => l.msg === 'bootstrap admin token' && l.outcome === 'created'),
    'the bootstrap is logged, without its token',
  )
  t.ok(
    logs.some((l) => String((l.req as { url?: string } | undefined)?.url ?? '').includes('access_token=[redacted]')),
    'a token in the query string is redacted from the logged URL',
  )
  for (const secret of secrets) {
    const leaks = lines.filter((line) => line.includes(secret) || line.includes(secretPart(secret)))
    t.same(
      leaks.map((l) => l.slice(0, 200)),
      [],
      `secret …${secret.slice(-6)} (${secret.length} chars) is in no log line`,
    )
  }
  t.ok(secrets.size >= 5, `${secrets.size} secrets looked for`)
})

t.test('a failed query logs its SQL, never its bound values', async (t) => {
  const secret = `zit_12345678_${randomBytes(32).toString('base64url')}`
  const cause = Object.assign(new Error('invalid byte sequence'), { code: '22021' })
  const err = Object.assign(new Error(`Failed query: update "principals" set "name" = $1\nparams: ${secret},abc`), {
    params: [secret, 'abc'],
    query: 'update "principals" set "name" = $1',
    cause,
  })
  const wrapped = new Error('outer', { cause: err })
  for (const e of [err, wrapped]) {
    const out = JSON.stringify(serializeError(e))
    t.notOk(out.includes(secret), 'no bound value')
    t.ok(out.includes('update \\"principals\\"') || e === wrapped, 'the SQL is kept')
  }
  t.equal(
    redactUrl('/v1/me?access_token=abc&limit=5&X-Signature=zz'),
    '/v1/me?access_token=[redacted]&limit=5&X-Signature=[redacted]',
  )
  t.equal(redactUrl('/v1/units?q=token'), '/v1/units?q=token', 'only values of secret-named parameters')
  t.equal(redactUrl(`/v1/x/${secret}/y`), '/v1/x/zit_[redacted]/y', 'a token in the path')
})
