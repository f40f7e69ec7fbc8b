import { Ajv } from 'ajv'
import { eq } from 'drizzle-orm'
import t, { type Test } from 'tap'
import { assessmentStages, stageSnapshots } from '../../src/modules/assessments/tables.js'
import { declarations } from '../../src/modules/declarations/tables.js'
import { periods } from '../../src/modules/periods/tables.js'
import { bearer, createToken } from '../helpers/auth.js'
import { hoursFromNow } from '../helpers/periods.js'
import { insertUnit } from '../helpers/units.js'
import {
  GUIDE_STATUS_CODES,
  errorResponse,
  jawabanUnitResponse,
  jawabanUnitWithMasterSoal,
  readMasterSoal,
  unitWbbmResponse,
  unitWbkResponse,
} from './contract-schemas.js'
import { BASE, declare, fillPkm1, portalrbWorld } from './fixture.js'

/**
 * Every response of the PortalRB endpoints, success and each error path, against JSON Schemas
 * written from KemenPANRB's guide (contract-schemas.ts), not from the service's own schemas.
 */
const ajv = new Ajv({ allErrors: true, strict: false })
const master = readMasterSoal()
const jawabanStrict = ajv.compile(jawabanUnitWithMasterSoal(master))

type Res = { statusCode: number; headers: Record<string, unknown>; body: string; json: () => any }

function conforms(t: Test, schema: object, res: Res, what: string) {
  const body = res.json()
  const valid = ajv.validate(schema, body)
  t.ok(valid, `${what}: the body matches the guide${valid ? '' : `: ${ajv.errorsText()} in ${res.body.slice(0, 300)}`}`)
  t.match(res.headers['content-type'], /^application\/json/, `${what}: JSON (guide §2)`)
  t.ok(GUIDE_STATUS_CODES.includes(res.statusCode), `${what}: ${res.statusCode} is a status the guide defines (§5)`)
}

/** A non-2xx answer: the status, the guide's error body (§6), and the code. */
function guideError(t: Test, res: Res, status: number, code: string, what: string) {
  t.equal(res.statusCode, status, `${what}: ${status}`)
  conforms(t, errorResponse, res, what)
  t.equal(res.json().code, code, `${what}: code ${code}`)
}

t.test('PortalRB contract (guide v1.0.0)', async (t) => {
  const world = await portalrbWorld(t)
  const { app, integration, units, period } = world
  await fillPkm1(t, world)
  const get = (path: string, headers: Record<string, string> = integration) =>
    app.inject({ method: 'GET', url: `${BASE}${path}`, headers }) as Promise<Res>
  const ENDPOINTS = ['/pengusulan/unit-wbk', '/pengusulan/unit-wbbm', '/lke/jawaban-unit/UNIT-PKM-001']

  t.test('200: the three endpoints of §3', async (t) => {
    const wbk = await get('/pengusulan/unit-wbk')
    t.equal(wbk.statusCode, 200)
    conforms(t, unitWbkResponse, wbk, 'unit-wbk')
    t.ok(wbk.json().units.length > 0, 'unit-wbk lists units')
    const wbbm = await get('/pengusulan/unit-wbbm')
    t.equal(wbbm.statusCode, 200)
    conforms(t, unitWbbmResponse, wbbm, 'unit-wbbm')
    t.ok(wbbm.json().units.length > 0, 'unit-wbbm lists units')
    // §3.3: {unit_id} is an id returned by unit-wbk / unit-wbbm: every listed unit can be fetched
    for (const unit of [...wbk.json().units, ...wbbm.json().units] as { id: string }[]) {
      const res = await get(`/lke/jawaban-unit/${encodeURIComponent(unit.id)}`)
      t.equal(res.statusCode, 200, `jawaban-unit/${unit.id}`)
      conforms(t, jawabanUnitResponse, res, `jawaban-unit/${unit.id}`)
      t.ok(
        jawabanStrict(res.json()),
        `jawaban-unit/${unit.id}: soal_id and values fit the master soal (§9)${jawabanStrict.errors ? `: ${ajv.errorsText(jawabanStrict.errors)}` : ''}`,
      )
      t.equal(res.json().unit_id, unit.id, 'unit_id is the id PortalRB asked for')
      t.equal(res.json().answers.length, master.total, `one answer per master soal question (${master.total})`)
    }
  })

  t.test(
    '401: no token, a token that is not valid, an expired token (§5 "API Key tidak valid atau tidak dikirimkan")',
    async (t) => {
      const expired = bearer(await createToken(world.ctx, 'integration', { expiresAt: new Date(Date.now() - 60_000) }))
      for (const path of ENDPOINTS) {
        const anonymous = await get(path, {})
        guideError(t, anonymous, 401, 'UNAUTHORIZED', `${path} without a token`)
        t.match(anonymous.headers['www-authenticate'], /^Bearer/, 'with a Bearer challenge')
        guideError(
          t,
          await get(path, { authorization: 'Bearer zit_00000000_notarealtokennotarealtokennotarealtokennot' }),
          401,
          'INVALID_TOKEN',
          `${path} with an unknown token`,
        )
        guideError(
          t,
          await get(path, { authorization: 'Basic dXNlcjpwYXNz' }),
          401,
          'INVALID_TOKEN',
          `${path} with another scheme`,
        )
        guideError(t, await get(path, expired), 401, 'TOKEN_EXPIRED', `${path} with an expired token`)
      }
    },
  )

  t.test('403: a valid token of any role but integration (§5 "API Key valid tapi tidak berhak")', async (t) => {
    for (const role of ['admin', 'evaluator', 'unit_operator', 'viewer'] as const) {
      const token = bearer(await createToken(world.ctx, role))
      for (const path of ENDPOINTS) guideError(t, await get(path, token), 403, 'FORBIDDEN', `${path} as ${role}`)
    }
  })

  t.test('404: unknown unit, unit not proposed, unit outside the token scope, unknown path', async (t) => {
    guideError(t, await get('/lke/jawaban-unit/TIDAK-ADA'), 404, 'UNIT_NOT_FOUND', 'an id no unit has')
    guideError(t, await get('/lke/jawaban-unit/PKM-002'), 404, 'UNIT_NOT_FOUND', 'a unit still building')
    guideError(t, await get('/lke/jawaban-unit/SMP-01'), 404, 'UNIT_NOT_FOUND', 'a unit only declared')
    guideError(t, await get('/lke/jawaban-unit/SMP-02'), 404, 'UNIT_NOT_FOUND', 'a unit proposed only last year')
    guideError(
      t,
      await get('/lke/jawaban-unit/PKM-001'),
      404,
      'UNIT_NOT_FOUND',
      'the code of a unit PortalRB knows by its external id',
    )
    const scoped = bearer(await createToken(world.ctx, 'integration', { unitIds: [units.disdik.id] }))
    guideError(
      t,
      await get('/lke/jawaban-unit/UNIT-PKM-001', scoped),
      404,
      'UNIT_NOT_FOUND',
      'a unit outside the token’s scope',
    )
    guideError(t, await get('/nothing-here'), 404, 'NOT_FOUND', 'an unknown path under the base path')
    guideError(t, await get('/pengusulan/unit-wbk/extra'), 404, 'NOT_FOUND', 'an unknown sub-path')
    guideError(t, await get('/pengusulan/unit-wbk', {}), 401, 'UNAUTHORIZED', 'a known path still needs the token')
    const post = (await app.inject({
      method: 'POST',
      url: `${BASE}/pengusulan/unit-wbk`,
      headers: integration,
      payload: {},
    })) as Res
    guideError(t, post, 404, 'NOT_FOUND', 'a method the guide does not define')
  })

  t.test('422: a request that is not valid (§5 "Data request tidak valid")', async (t) => {
    guideError(t, await get('/bukti-dukung/not-a-uuid'), 422, 'INVALID_REQUEST', 'an evidence id that is not a UUID')
    t.match((await get('/bukti-dukung/not-a-uuid')).json().message, /evidence_id/, 'the message names the parameter')
    const twin = await insertUnit(world.ctx, {
      kind: 'unit',
      parent: units.dinkes,
      code: 'TWIN',
      name: 'Kembar',
      externalIds: { portalrb: 'UNIT-PKM-001' },
    })
    await declare(world.ctx, twin, period.id, 'WBK', 'proposed')
    guideError(
      t,
      await get('/lke/jawaban-unit/UNIT-PKM-001'),
      422,
      'UNIT_ID_AMBIGUOUS',
      'an id two proposed units share',
    )
    await app.db.update(declarations).set({ status: 'declared' }).where(eq(declarations.unitId, twin.id))
    t.equal(
      (await get('/lke/jawaban-unit/UNIT-PKM-001')).statusCode,
      200,
      'unique again once the twin is no longer proposed',
    )
  })

  t.test('500: an internal failure is the guide’s body, the cause only in the log', async (t) => {
    const broken = await insertUnit(world.ctx, {
      kind: 'unit',
      parent: units.dinkes,
      code: 'RUSAK',
      name: 'Unit Rusak',
    })
    await declare(world.ctx, broken, period.id, 'WBK', 'proposed')
    const operator = bearer(await createToken(world.ctx, 'unit_operator', { unitIds: [broken.id] }))
    const created = await app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: operator,
      payload: { period_id: period.id, unit_id: broken.id },
    })
    const [stage] = await app.db
      .select({ id: assessmentStages.id })
      .from(assessmentStages)
      .where(eq(assessmentStages.assessmentId, created.json().id))
    // a snapshot whose answers are not a list: reading it throws
    await app.db
      .insert(stageSnapshots)
      .values({ stageId: stage!.id, status: 'submitted', answers: {} as never, score: {} })
    const res = await get('/lke/jawaban-unit/RUSAK')
    guideError(t, res, 500, 'INTERNAL_ERROR', 'a corrupt snapshot')
    t.match(res.json().message, res.headers['x-request-id'] as string, 'the message quotes the request id')
    t.notMatch(res.body, /TypeError|map/, 'no internals in the body')
    t.ok(
      world.ctx.logs.some((l) => l.msg === 'portalrb request failed' && l.reqId === res.headers['x-request-id']),
      'the cause is logged with the request id',
    )
    await app.db.update(declarations).set({ status: 'building' }).where(eq(declarations.unitId, broken.id))
  })

  t.test('304: If-None-Match with the current ETag', async (t) => {
    for (const path of ENDPOINTS) {
      const first = await get(path)
      t.equal(first.statusCode, 200)
      const etag = first.headers.etag as string
      t.match(etag, /^"[A-Za-z0-9_-]{43}"$/, `${path}: a strong ETag`)
      const again = await get(path, { ...integration, 'if-none-match': etag })
      t.equal(again.statusCode, 304, `${path}: 304 while unchanged`)
      t.equal(again.body, '', 'no body')
      t.equal(again.headers.etag, etag, 'the same ETag')
    }
  })

  t.test('404 DATA_NOT_FOUND while no proposal window has opened yet (§8 cut-off)', async (t) => {
    await app.db
      .update(periods)
      .set({ windows: { proposal: { opens_at: hoursFromNow(24), closes_at: hoursFromNow(48) } } })
      .where(eq(periods.id, period.id))
    // (a closed window of an earlier period would be served frozen: test/portalrb/behaviour.test.ts)
    await app.db.update(periods).set({ windows: {} }).where(eq(periods.id, world.lastYear.id))
    for (const path of ENDPOINTS)
      guideError(t, await get(path), 404, 'DATA_NOT_FOUND', `${path} before the proposal window opens`)
    t.match((await get('/pengusulan/unit-wbk')).json().message, /belum tersedia/)
  })

  t.test('the rest of the API keeps problem+json', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/v1/units' })
    t.equal(res.statusCode, 401)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.equal(res.json().code, 'unauthenticated')
    const missing = await app.inject({ method: 'GET', url: '/v1/nothing' })
    t.equal(missing.json().code, 'route_not_found')
  })
})

t.test('429: rate limit exceeded, with Retry-After (§5)', async (t) => {
  const world = await portalrbWorld(t, { RATE_LIMIT_MAX: '3' })
  const get = () =>
    world.app.inject({ method: 'GET', url: `${BASE}/pengusulan/unit-wbk`, headers: world.integration }) as Promise<Res>
  for (let i = 0; i < 3; i++) t.equal((await get()).statusCode, 200, `request ${i + 1} within the limit`)
  const limited = await get()
  guideError(t, limited, 429, 'RATE_LIMITED', 'the request over the limit')
  const retryAfter = Number(limited.headers['retry-after'])
  t.ok(
    Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
    `Retry-After: ${limited.headers['retry-after']} seconds`,
  )
  t.match(limited.json().message, String(retryAfter), 'the message says how long to wait')
})
