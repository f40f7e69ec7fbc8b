import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'

t.test('the benchmark ceilings do not exist unless BENCH_ROUTES is on', async (t) => {
  const ctx = await buildTestApp(t)
  t.equal(ctx.config.BENCH_ROUTES, false, 'off by default')
  const token = await createToken(ctx, 'integration')
  for (const url of ['/v1/bench/constant', '/v1/bench/select-1']) {
    const res = await ctx.app.inject({ url, headers: bearer(token) })
    t.equal(res.statusCode, 404, `${url} is not served`)
  }
  const doc = ctx.app.swagger() as { paths: Record<string, unknown> }
  t.notOk(
    Object.keys(doc.paths).some((p) => p.startsWith('/v1/bench')),
    'nor documented',
  )
  t.notOk(
    (doc as unknown as { tags: { name: string }[] }).tags.some((tag) => tag.name === 'bench'),
    'nor their tag',
  )
})

t.test('with BENCH_ROUTES=true: a constant and SELECT 1, for integration tokens only', async (t) => {
  const ctx = await buildTestApp(t, { BENCH_ROUTES: 'true' })
  t.ok(
    (ctx.app.swagger() as { tags: { name: string }[] }).tags.some((tag) => tag.name === 'bench'),
    'the bench tag is listed with its routes',
  )
  const integration = await createToken(ctx, 'integration')
  const viewer = await createToken(ctx, 'viewer')

  const constant = await ctx.app.inject({ url: '/v1/bench/constant', headers: bearer(integration) })
  t.equal(constant.statusCode, 200)
  t.same(constant.json(), { ok: true, source: 'constant' })

  const select = await ctx.app.inject({ url: '/v1/bench/select-1', headers: bearer(integration) })
  t.equal(select.statusCode, 200)
  t.same(select.json(), { ok: true, source: 'database' })

  const anonymous = await ctx.app.inject({ url: '/v1/bench/select-1' })
  t.equal(anonymous.statusCode, 401, 'a token is needed')
  const other = await ctx.app.inject({ url: '/v1/bench/constant', headers: bearer(viewer) })
  t.equal(other.statusCode, 403, 'another role is refused')
  t.equal(other.json().code, 'forbidden_role')
})

t.test('BENCH_ROUTES must be a boolean', async (t) => {
  t.throws(() => loadConfig({ BENCH_ROUTES: 'yes' }), ConfigError)
  t.equal(loadConfig({ BENCH_ROUTES: '1' }).BENCH_ROUTES, true)
  t.equal(loadConfig({}).BENCH_ROUTES, false)
})
