import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'

t.test('foundation', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx

  t.test('health: live and ready', async (t) => {
    const live = await app.inject({ method: 'GET', url: '/health/live' })
    t.equal(live.statusCode, 200)
    t.same(live.json(), { status: 'ok' })
    const ready = await app.inject({ method: 'GET', url: '/health/ready' })
    t.equal(ready.statusCode, 200)
    t.equal(ready.json().database, ctx.db.database.kind)
  })

  t.test('server timeouts are explicit: headers, request, keep-alive', async (t) => {
    t.equal(app.server.headersTimeout, 30_000)
    t.equal(app.server.requestTimeout, 60_000)
    t.ok(app.server.headersTimeout < app.server.requestTimeout, 'headers must arrive before the whole request may')
    t.equal(app.server.keepAliveTimeout, 72_000)
  })

  t.test('request id: generated, or honoured when sane', async (t) => {
    const generated = await app.inject({ method: 'GET', url: '/health/live' })
    t.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/)
    const given = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'abc-123' } })
    t.equal(given.headers['x-request-id'], 'abc-123')
    const hostile = await app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'a b\u0000<script>' },
    })
    t.not(hostile.headers['x-request-id'], 'a b\u0000<script>')
    await app.inject({ method: 'GET', url: '/v1/nothing', headers: { 'x-request-id': 'abc-123' } })
    const logged = ctx.logs.filter((l) => l.reqId === 'abc-123')
    t.ok(logged.length >= 1, 'log lines carry the request id')
  })

  t.test('unknown route: problem+json 404', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing-here' })
    t.equal(res.statusCode, 404)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.json(), {
      type: 'urn:zi-tracker:problem:route_not_found',
      title: 'Not Found',
      status: 404,
      code: 'route_not_found',
      detail: String,
    })
  })

  t.test('malformed JSON and unknown fields are 400 problems naming the field', async (t) => {
    const token = await createToken(ctx, 'admin')
    const malformed = await app.inject({
      method: 'POST',
      url: '/v1/principals',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      payload: '{"name": ',
    })
    t.equal(malformed.statusCode, 400)
    t.equal(malformed.json().code, 'malformed_body')
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/principals',
      headers: bearer(token),
      payload: { name: 'x', kind: 'user', colour: 'red' },
    })
    t.equal(unknown.statusCode, 400)
    t.equal(unknown.json().code, 'validation_failed')
    t.same(unknown.json().errors, [
      { pointer: '/body/colour', rule: 'additionalProperties', message: 'is not a known field' },
    ])
    const missing = await app.inject({
      method: 'POST',
      url: '/v1/principals',
      headers: bearer(token),
      payload: { kind: 'robot' },
    })
    t.equal(missing.statusCode, 400)
    const pointers = missing.json().errors.map((e: { pointer: string }) => e.pointer)
    t.ok(pointers.includes('/body/name'), 'missing field named')
    t.ok(
      pointers.some((p: string) => p.startsWith('/body/kind')),
      'bad enum named',
    )
  })

  t.test('a body of the wrong media type: 415 naming the types the route takes', async (t) => {
    const token = await createToken(ctx, 'admin')
    const form = await app.inject({
      method: 'POST',
      url: '/v1/principals',
      headers: { ...bearer(token), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x&kind=user',
    })
    t.equal(form.statusCode, 415)
    t.match(form.json(), {
      code: 'unsupported_media_type',
      accepted: ['application/json'],
      detail:
        'This route takes a body of type application/json (Content-Type header), not "application/x-www-form-urlencoded".',
    })
    const upload = await app.inject({
      method: 'POST',
      url: '/v1/evidence/files',
      headers: { ...bearer(token), 'content-type': 'application/xml' },
      payload: '<file/>',
    })
    t.equal(upload.statusCode, 415)
    t.same(upload.json().accepted, ['multipart/form-data'], 'an upload route names multipart/form-data')
    t.match(upload.json().detail, /takes a body of type multipart\/form-data/)
  })

  t.test('an enum error lists the allowed values', async (t) => {
    const token = await createToken(ctx, 'admin')
    const res = await app.inject({
      method: 'POST',
      url: '/v1/units',
      headers: bearer(token),
      payload: { code: '9', name: 'X', kind: 'kecamatan' },
    })
    t.equal(res.statusCode, 400)
    const kind = res.json().errors.find((e: { pointer: string }) => e.pointer === '/body/kind')
    t.same(kind, { pointer: '/body/kind', rule: 'enum', message: 'must be one of "instansi", "opd", "unit"' })
    t.match(res.json().detail, /\/body\/kind must be one of "instansi", "opd", "unit"/)
  })

  t.test('the OpenAPI document: the package version; the bench tag only with its routes', async (t) => {
    const { readFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { projectRoot } = await import('../../src/lib/paths.js')
    const version = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).version
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
    t.equal(doc.info.version, version)
    t.notOk(
      doc.tags.some((tag: { name: string }) => tag.name === 'bench'),
      'no bench tag when BENCH_ROUTES is off',
    )
    const committed = JSON.parse(readFileSync(join(projectRoot(), 'openapi', 'openapi.json'), 'utf8'))
    t.equal(committed.info.version, version, 'the committed document too')
  })

  t.test('a 500 never leaks the stack or SQL', async (t) => {
    const token = await createToken(ctx, 'admin')
    // Break the database under the route: the principals list then fails inside the driver.
    await app.db.execute(sql`alter table role_grants rename column created_at to created`)
    let res
    try {
      res = await app.inject({ method: 'GET', url: '/v1/principals', headers: bearer(token) })
    } finally {
      await app.db.execute(sql`alter table role_grants rename column created to created_at`)
    }
    t.equal(res.statusCode, 500)
    t.equal(res.json().code, 'internal_error')
    t.notMatch(res.body, /created_at|column|select|\.ts:\d+/i)
    t.ok(
      ctx.logs.some((l) => l.level === 50 && l.reqId === res.json().request_id),
      'the cause is logged server-side',
    )
    t.match(res.json().request_id, /.+/)
  })

  t.test('secrets are redacted in logs', async (t) => {
    const token = await createToken(ctx, 'admin')
    await app.inject({ method: 'GET', url: '/v1/me', headers: { ...bearer(token), cookie: 'session=abc' } })
    const text = JSON.stringify(ctx.logs)
    t.notOk(text.includes(token), 'the token never appears in the log')
    t.notOk(text.includes('session=abc'), 'cookies never appear in the log')
    t.ok(text.includes('[redacted]'))
  })
})
