import t from 'tap'
import { buildApp } from '../../src/app.js'
import { ConfigError, loadConfig } from '../../src/config.js'
import { parseCorsOrigins } from '../../src/plugins/external/cors.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { multipartBody } from '../helpers/multipart.js'
import { insertSmallTree } from '../helpers/units.js'

type Res = Awaited<ReturnType<Awaited<ReturnType<typeof buildTestApp>>['app']['inject']>>

/** The headers every API answer carries (helmet, src/plugins/external/helmet.ts). */
function securityHeaderProblems(res: Res): string[] {
  const h = res.headers
  const problems: string[] = []
  const csp = String(h['content-security-policy'] ?? '')
  if (!/default-src 'none'/.test(csp) || !/frame-ancestors 'none'/.test(csp)) problems.push(`CSP ${csp}`)
  if (h['x-content-type-options'] !== 'nosniff') problems.push('nosniff')
  if (h['x-frame-options'] !== 'DENY') problems.push('x-frame-options')
  if (h['referrer-policy'] !== 'no-referrer') problems.push('referrer-policy')
  if (!/max-age=\d+/.test(String(h['strict-transport-security'] ?? ''))) problems.push('hsts')
  if (h['cross-origin-resource-policy'] !== 'same-origin') problems.push('corp')
  if (h['x-powered-by'] !== undefined) problems.push('x-powered-by')
  return problems
}

const corsHeaders = (res: Res) => Object.keys(res.headers).filter((k) => k.startsWith('access-control-'))

t.test('security headers and CORS', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const admin = bearer(await createToken(ctx, 'admin'))
  const tree = await insertSmallTree(ctx)

  t.test('every documented GET (and errors of every kind) carries the security headers', async (t) => {
    const doc = app.swagger() as { paths: Record<string, Record<string, unknown>> }
    const gets = Object.entries(doc.paths).filter(([path, item]) => item.get && !path.includes('{'))
    t.ok(gets.length > 10, `${gets.length} GET routes without path parameters`)
    for (const [path] of gets) {
      const res = await app.inject({ method: 'GET', url: path, headers: admin })
      t.same(securityHeaderProblems(res), [], `GET ${path} → ${res.statusCode}`)
    }
    const errors = [
      await app.inject({ method: 'GET', url: '/v1/me' }), // 401 from the auth hook
      await app.inject({ method: 'GET', url: '/v1/nowhere', headers: admin }), // 404 handler
      await app.inject({ method: 'GET', url: `/v1/units/${tree.a1.id}/x%zz` }), // malformed URL, answered before routing
      await app.inject({ method: 'GET', url: `/v1/units/${'x'.repeat(300)}` }), // path parameter too long
      await app.inject({
        method: 'POST',
        url: '/v1/units',
        headers: { ...admin, 'content-type': 'application/json' },
        payload: '{',
      }), // parser error
    ]
    t.same(
      errors.map((r) => r.statusCode),
      [401, 404, 400, 414, 400],
    )
    for (const res of errors) {
      t.match(res.headers['content-type'], /^application\/problem\+json/, `${res.statusCode} is problem+json`)
      t.equal(res.headers['x-content-type-options'], 'nosniff', `${res.statusCode} has nosniff`)
      t.match(
        String(res.headers['content-security-policy']),
        /default-src 'none'/,
        `${res.statusCode} has the strict CSP`,
      )
    }
    for (const res of errors.slice(0, 2).concat(errors.slice(4)))
      t.same(securityHeaderProblems(res), [], `${res.statusCode}: all headers`)
  })

  t.test('/docs keeps the policy its assets need, and every asset it references loads', async (t) => {
    const page = await app.inject({ method: 'GET', url: '/docs/' })
    t.equal(page.statusCode, 200)
    t.match(page.headers['content-type'], /text\/html/)
    const csp = String(page.headers['content-security-policy'])
    t.match(csp, /script-src 'self'/, 'scripts from the same origin are allowed on /docs')
    t.match(csp, /style-src 'self'/)
    t.notMatch(csp, /default-src 'none'/, 'not the API policy')
    t.notMatch(csp, /upgrade-insecure-requests/, 'served over plain http on an intranet, its assets still load')
    t.equal(page.headers['x-content-type-options'], 'nosniff')
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map(
      (m) => new URL(m[1]!, 'http://localhost/docs/').pathname,
    )
    t.ok(assets.length >= 5, `${assets.length} assets referenced`)
    for (const asset of assets) {
      const res = await app.inject({ method: 'GET', url: asset })
      t.equal(res.statusCode, 200, `${asset} loads`)
      t.match(
        res.headers['content-type'],
        /^(text\/css|application\/javascript|text\/javascript|image\/png)/,
        `${asset} has its content type`,
      )
    }
    const initializer = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })
    const specUrl = /url: resolveUrl\('([^']+)'\)/.exec(initializer.body)?.[1]
    t.ok(specUrl, 'the initializer names the OpenAPI document')
    const spec = await app.inject({ method: 'GET', url: new URL(specUrl!, 'http://localhost/docs/').pathname })
    t.equal(spec.statusCode, 200)
    t.equal(spec.json().openapi, '3.1.0')
  })

  t.test('uploaded files come back as attachments of their checked type, never rendered', async (t) => {
    const form = multipartBody(
      { unit_id: tree.a1.id, title: 'Rekap' },
      {
        name: '<img src=x onerror=alert(1)>.csv',
        type: 'text/csv',
        content: Buffer.from('<script>alert(document.cookie)</script>,1\n'),
      },
    )
    const created = await app.inject({
      method: 'POST',
      url: '/v1/evidence/files',
      headers: { ...admin, ...form.headers },
      payload: form.payload,
    })
    t.equal(created.statusCode, 201, created.body)
    const res = await app.inject({ method: 'GET', url: `/v1/evidence/${created.json().id}/content`, headers: admin })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'text/csv', 'the allow-listed type, not what the client claims at download')
    t.match(
      String(res.headers['content-disposition']),
      /^attachment; filename="[^"\\\r\n/]*"; filename\*=UTF-8''[^\s"]*$/,
      'an attachment; the quoted name cannot break out of the header',
    )
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.match(
      String(res.headers['content-security-policy']),
      /default-src 'none'.*sandbox/,
      'sandboxed even if a browser renders it',
    )
  })

  t.test('CORS is closed by default: no header, preflights 404', async (t) => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { ...admin, origin: 'https://dashboard.example.go.id' },
    })
    t.equal(res.statusCode, 200)
    t.same(corsHeaders(res), [], 'no Access-Control-* header')
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/v1/units',
      headers: {
        origin: 'https://dashboard.example.go.id',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    })
    t.equal(preflight.statusCode, 404)
    t.match(preflight.headers['content-type'], /^application\/problem\+json/)
    t.same(corsHeaders(preflight), [])
  })

  t.test('CORS open to the configured origins only, preflight included', async (t) => {
    const allowed = ['https://dashboard.example.go.id', 'http://localhost:5173']
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      RATE_LIMIT_MAX: '100000',
      CORS_ORIGINS: ` ${allowed[0]}/ ,${allowed[1]} `,
    })
    const corsApp = await buildApp({ config, database: ctx.db.database })
    t.teardown(() => corsApp.close())
    for (const origin of allowed) {
      const res = await corsApp.inject({ method: 'GET', url: '/v1/me', headers: { ...admin, origin } })
      t.equal(res.statusCode, 200)
      t.equal(res.headers['access-control-allow-origin'], origin, `${origin} is allowed`)
      t.match(String(res.headers.vary), /Origin/i, 'Vary: Origin, so caches keep answers per origin')
      t.match(String(res.headers['access-control-expose-headers']), /etag/, 'the ETag is readable from scripts')
      t.notOk(res.headers['access-control-allow-credentials'], 'no credentials mode: tokens go in Authorization')
      const preflight = await corsApp.inject({
        method: 'OPTIONS',
        url: `/v1/units/${tree.a1.id}`,
        headers: {
          origin,
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'authorization, content-type, if-match',
        },
      })
      t.equal(preflight.statusCode, 204, 'a preflight needs no token')
      t.equal(preflight.headers['access-control-allow-origin'], origin)
      t.match(String(preflight.headers['access-control-allow-methods']), /PATCH/)
      t.match(String(preflight.headers['access-control-allow-headers']), /if-match/)
      t.match(String(preflight.headers['access-control-allow-headers']), /authorization/)
      t.equal(preflight.headers['access-control-max-age'], '600')
      t.same(securityHeaderProblems(preflight), [], 'the preflight carries the security headers too')
    }
    for (const origin of [
      'https://evil.example',
      'https://dashboard.example.go.id.evil.example',
      'http://dashboard.example.go.id',
      'null',
      'https://dashboard.example.go.id:8443',
    ]) {
      const res = await corsApp.inject({ method: 'GET', url: '/v1/me', headers: { ...admin, origin } })
      t.same(corsHeaders(res), [], `${origin}: no CORS header on the answer`)
      const preflight = await corsApp.inject({
        method: 'OPTIONS',
        url: '/v1/units',
        headers: { origin, 'access-control-request-method': 'POST' },
      })
      t.equal(preflight.statusCode, 404, `${origin}: preflight refused`)
      t.same(corsHeaders(preflight), [], `${origin}: no CORS header on the preflight`)
    }
    const noOrigin = await corsApp.inject({ method: 'GET', url: '/v1/me', headers: admin })
    t.equal(
      noOrigin.headers['access-control-allow-origin'],
      undefined,
      'same-origin and server-to-server calls get no CORS header',
    )
  })

  t.test('CORS_ORIGINS is validated at start-up', async (t) => {
    t.same(parseCorsOrigins(' https://a.example ,http://b.example:8080/,'), [
      'https://a.example',
      'http://b.example:8080',
    ])
    t.same(parseCorsOrigins(undefined), [])
    for (const bad of ['*', 'https://a.example/path', 'a.example', 'https://a.example,*', 'ftp://a.example']) {
      t.throws(() => loadConfig({ CORS_ORIGINS: bad }), ConfigError, `${bad} is refused`)
      try {
        loadConfig({ CORS_ORIGINS: bad })
      } catch (error) {
        t.match((error as ConfigError).variable, 'CORS_ORIGINS')
      }
    }
    t.equal(loadConfig({ CORS_ORIGINS: '' }).CORS_ORIGINS, undefined, 'empty means off')
  })
})
