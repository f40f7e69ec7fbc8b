import t from 'tap'
import { createZiClient, isProblem, normaliseBaseUrl, retryAfterMs } from '../../packages/client/src/index.js'
import { createToken } from '../helpers/auth.js'
import { insertSmallTree } from '../helpers/units.js'
import { startServer } from '../helpers/zi-cli.js'

t.test('the typed client against a running server', async (t) => {
  const ctx = await startServer(t)
  const tree = await insertSmallTree(ctx)
  const token = await createToken(ctx, 'viewer', { unitIds: [tree.opdB.id], name: 'Dasbor Bappeda' })
  const zi = createZiClient({ baseUrl: `${ctx.url}/`, token })

  const me = await zi.GET('/v1/me')
  t.equal(me.response.status, 200)
  t.equal(me.data?.name, 'Dasbor Bappeda')
  t.same(me.data?.scope, { all_units: false, unit_ids: [tree.opdB.id] })

  const page = await zi.GET('/v1/units', { params: { query: { kind: 'unit', sort: 'name', limit: 1 } } })
  t.same(
    page.data?.items.map((u) => u.name),
    ['SMP Negeri 1'],
  )
  const next = await zi.GET('/v1/units', {
    params: { query: { kind: 'unit', sort: 'name', limit: 1, cursor: page.data!.next_cursor! } },
  })
  t.same(
    next.data?.items.map((u) => u.name),
    ['SMP Negeri 2'],
    'the cursor walks the scope',
  )

  const hidden = await zi.GET('/v1/units/{id}', { params: { path: { id: tree.a1.id } } })
  t.equal(hidden.response.status, 404, 'out of scope looks missing')
  t.ok(isProblem(hidden.error))
  t.equal(hidden.error?.code, 'unit_not_found')
  t.equal(hidden.data, undefined)

  const anonymous = await createZiClient({ baseUrl: ctx.url }).GET('/v1/me')
  t.equal(anonymous.response.status, 401)
  t.equal(anonymous.error?.code, 'unauthenticated')
  // `language` is sent as Accept-Language: the problem's title comes back in it, its code does not change.
  const inIndonesian = await createZiClient({ baseUrl: ctx.url, language: 'id' }).GET('/v1/me')
  t.same([inIndonesian.error?.code, inIndonesian.error?.title], ['unauthenticated', 'Belum Terautentikasi'])
  const inEnglish = await createZiClient({ baseUrl: ctx.url, language: 'en' }).GET('/v1/me')
  t.same([inEnglish.error?.code, inEnglish.error?.title], ['unauthenticated', 'Unauthorized'])
  const forbidden = await zi.POST('/v1/units', {
    body: { code: 'X', name: 'X', kind: 'opd', parent_id: tree.instansi.id },
  })
  t.equal(forbidden.response.status, 403, 'a viewer reads only')
})

t.test('base URLs', async (t) => {
  t.equal(normaliseBaseUrl('https://zi.example.go.id/'), 'https://zi.example.go.id')
  t.equal(normaliseBaseUrl('http://10.0.0.5:3000/zi//'), 'http://10.0.0.5:3000/zi', 'behind a path prefix')
  t.throws(() => normaliseBaseUrl('zi.example.go.id'), /not a URL/)
  t.throws(() => normaliseBaseUrl('ftp://zi.example.go.id'), /not an http\(s\) URL/)
  t.throws(() => normaliseBaseUrl('https://zi.example.go.id/?x=1'), /no query/)
})

t.test('retries: only requests safe to repeat, honouring Retry-After', async (t) => {
  const seen: string[] = []
  const replies: (() => Response)[] = []
  const fakeFetch = async (request: Request): Promise<Response> => {
    seen.push(
      `${request.method} ${new URL(request.url).pathname} ${request.headers.get('idempotency-key') ?? ''} ${request.body ? await request.text() : ''}`.trim(),
    )
    const next = replies.shift()
    if (!next) throw new TypeError('fetch failed')
    return next()
  }
  const unavailable = () =>
    new Response(JSON.stringify({ status: 503, code: 'unavailable', title: 'x', detail: 'x', type: 'about:blank' }), {
      status: 503,
      headers: { 'retry-after': '0', 'content-type': 'application/problem+json' },
    })
  const ok = () =>
    new Response('{"items":[],"next_cursor":null}', { status: 200, headers: { 'content-type': 'application/json' } })
  const zi = createZiClient({ baseUrl: 'http://zi.test', token: 't', retries: 2, maxRetryDelayMs: 0, fetch: fakeFetch })
  const id = '00000000-0000-4000-8000-000000000000'

  replies.push(unavailable, ok)
  t.equal((await zi.GET('/v1/units')).response.status, 200, 'a GET is retried')
  t.equal(seen.length, 2)

  seen.length = 0
  replies.push(unavailable, ok)
  const plainPost = await zi.POST('/v1/assessments/{id}/stages/{stage}/transitions', {
    params: { path: { id, stage: 'self' } },
    body: { to: 'submitted' },
  })
  t.equal(plainPost.response.status, 503, 'a POST without Idempotency-Key is not repeated')
  t.equal(seen.length, 1)
  replies.length = 0

  seen.length = 0
  replies.push(unavailable, () => new Response(null, { status: 409, headers: { 'retry-after': '0' } }), ok)
  const keyed = await zi.POST('/v1/assessments/{id}/stages/{stage}/answers/batch', {
    params: { path: { id, stage: 'tpi' }, header: { 'idempotency-key': 'k1' } },
    body: { answers: [{ question_code: 'Q1', value: 'Ya' }] },
  })
  t.equal(keyed.response.status, 200, 'with Idempotency-Key: retried, through 409 idempotency_in_progress too')
  t.equal(seen.length, 3)
  t.ok(
    seen.every(
      (s) =>
        s ===
        `POST /v1/assessments/${id}/stages/tpi/answers/batch k1 {"answers":[{"question_code":"Q1","value":"Ya"}]}`,
    ),
    'the same body every time',
  )

  seen.length = 0
  await t.rejects(zi.GET('/v1/me'), /fetch failed/, 'a network error after the last retry is thrown')
  t.equal(seen.length, 3)

  t.equal(retryAfterMs('3'), 3000)
  t.equal(retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1)), 10_000)
  t.equal(retryAfterMs('soon'), undefined)
  t.equal(retryAfterMs(null), undefined)
})
