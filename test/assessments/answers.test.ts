import { eq } from 'drizzle-orm'
import t from 'tap'
import { answers as answersTable } from '../../src/modules/assessments/tables.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { hoursFromNow, insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

/**
 * The bad paths of answering, and what concurrent and retried writers get. On PostgreSQL
 * (DATABASE_URL set) the parallel requests really run in parallel on separate connections.
 */
t.test('answers: validation, windows, evidence, concurrency, idempotency', async (t) => {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '100000' })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const [seeded] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
  const instrumentVersionId = seeded!.id
  const period = await insertPeriod(ctx, { instrumentVersionId })
  const admin = bearer(await createToken(ctx, 'admin'))
  const operator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.a1.id] }))
  const operatorB = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.b1.id] }))
  const viewer = bearer(await createToken(ctx, 'viewer'))

  const open = async (unitId: string, periodId = period.id) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: admin,
      payload: { period_id: periodId, unit_id: unitId },
    })
    if (res.statusCode !== 201) throw new Error(res.body)
    return `/v1/assessments/${res.json().id}`
  }
  const url = await open(tree.a1.id)
  const batch = (payload: unknown, headers: Record<string, string> = operator, base = url) =>
    app.inject({
      method: 'POST',
      url: `${base}/stages/self/answers/batch`,
      headers,
      payload: payload as Record<string, unknown>,
    })
  const stageVersion = async (base = url) =>
    (await app.inject({ method: 'GET', url: base, headers: admin })).json().stages[0].version as number

  t.test('values are checked per answer type; one bad item writes nothing', async (t) => {
    const before = await stageVersion()
    const res = await batch({
      answers: [
        { question_code: 'Q1', value: 'Ya' }, // fine
        { question_code: 'Q2', value: 'D' }, // A/B/C has no D
        { question_code: 'Q88', value: -1 }, // a count is ≥ 0
        { question_code: 'Q89', value: 2.5 }, // … and whole
        { question_code: 'Q125', value: 4.5 }, // a survey index is 0–4
        { question_code: 'Q127', value: 3.333 }, // … with two decimals
        { question_code: 'Q88', value: '7' }, // a count is a number, not a string; and Q88 twice
        { question_code: 'Q9999', value: 'Ya' }, // no such question
      ],
    })
    t.equal(res.statusCode, 422)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    const body = res.json()
    t.equal(body.code, 'answers_invalid')
    const pointers = body.errors.map((e: { pointer: string }) => e.pointer)
    for (const p of [
      '/body/answers/1/value',
      '/body/answers/2/value',
      '/body/answers/3/value',
      '/body/answers/4/value',
      '/body/answers/5/value',
      '/body/answers/6/value',
      '/body/answers/6/question_code',
      '/body/answers/7/question_code',
    ]) {
      t.ok(pointers.includes(p), `names ${p}`)
    }
    t.notOk(
      pointers.some((p: string) => p.startsWith('/body/answers/0/')),
      'the good item is not blamed',
    )
    t.equal((await app.db.select().from(answersTable)).length, 0, 'nothing was written, not even the good item')
    t.equal(await stageVersion(), before, 'the stage did not change')
  })

  t.test('schema errors are 400 with the field', async (t) => {
    const unknownField = await batch({ answers: [{ question_code: 'Q1', value: 'Ya', score: 1 }] })
    t.equal(unknownField.statusCode, 400)
    t.match(JSON.stringify(unknownField.json().errors), /score/)
    t.equal((await batch({ answers: [] })).statusCode, 400, 'an empty batch')
    const single = await app.inject({
      method: 'PUT',
      url: `${url}/stages/self/answers/Q2`,
      headers: operator,
      payload: { value: 'Z' },
    })
    t.equal(single.statusCode, 422)
    t.same(
      single.json().errors.map((e: { pointer: string }) => e.pointer),
      ['/body/value'],
    )
    const unknown = await app.inject({
      method: 'PUT',
      url: `${url}/stages/self/answers/NOPE`,
      headers: operator,
      payload: { value: 'Ya' },
    })
    t.equal(unknown.statusCode, 422)
    t.same(
      unknown.json().errors.map((e: { pointer: string }) => e.pointer),
      ['/params/code'],
    )
  })

  t.test('who may write, and where', async (t) => {
    t.equal(
      (await batch({ answers: [{ question_code: 'Q1', value: 'Ya' }] }, viewer)).statusCode,
      403,
      'a viewer reads only',
    )
    t.equal(
      (await batch({ answers: [{ question_code: 'Q1', value: 'Ya' }] }, operatorB)).statusCode,
      404,
      'another unit’s operator does not see the assessment',
    )
    t.equal((await app.inject({ method: 'GET', url, headers: operatorB })).statusCode, 404)
    const noStage = await app.inject({
      method: 'POST',
      url: `${url}/stages/tpi/answers/batch`,
      headers: admin,
      payload: { answers: [{ question_code: 'Q1', value: 'Ya' }] },
    })
    t.equal(noStage.statusCode, 404)
    t.equal(noStage.json().code, 'stage_not_found')
  })

  t.test('a closed window refuses writes and names the window', async (t) => {
    const closed = { opens_at: hoursFromNow(-48), closes_at: hoursFromNow(-24) }
    const openW = { opens_at: hoursFromNow(-24), closes_at: hoursFromNow(24) }
    const late = await insertPeriod(ctx, {
      instrumentVersionId,
      windows: { self_assessment: closed, tpi_verification: openW, revision: openW, proposal: openW },
    })
    const lateUrl = await open(tree.a2.id, late.id)
    const res = await batch({ answers: [{ question_code: 'Q1', value: 'Ya' }] }, admin, lateUrl)
    t.equal(res.statusCode, 422)
    t.equal(res.json().code, 'window_closed')
    t.match(res.json().detail, /self_assessment/)
  })

  t.test('evidence: the unit’s own or its parents’, never another unit’s', async (t) => {
    const link = async (unitId: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/evidence/links',
        headers: admin,
        payload: { unit_id: unitId, title: 'SK Tim ZI', url: 'https://example.go.id/sk.pdf' },
      })
      if (res.statusCode !== 201) throw new Error(res.body)
      return res.json().id as string
    }
    const own = await link(tree.a1.id)
    const opd = await link(tree.opdA.id)
    const foreign = await link(tree.b1.id)
    const bad = await batch({ answers: [{ question_code: 'Q1', value: 'Ya', evidence_ids: [own, foreign] }] })
    t.equal(bad.statusCode, 422)
    t.same(
      bad.json().errors.map((e: { pointer: string }) => e.pointer),
      ['/body/answers/0/evidence_ids/1'],
    )
    const good = await batch({
      answers: [
        { question_code: 'Q1', value: 'Ya', evidence_ids: [own, opd] },
        { question_code: 'Q3', value: 'Ya', evidence_ids: [own] },
      ],
    })
    t.equal(good.statusCode, 200, good.body)
    t.same(
      good
        .json()
        .answers.find((a: { question_code: string }) => a.question_code === 'Q1')
        .evidence_ids.sort(),
      [own, opd].sort(),
      'one item may back several answers',
    )
    const keep = await batch({ answers: [{ question_code: 'Q1', value: 'Tidak' }] })
    t.same(keep.json().answers[0].evidence_ids.sort(), [own, opd].sort(), 'omitting evidence_ids keeps the links')
    t.equal(keep.json().answers[0].note, null)
  })

  t.test('expected_version: a stale batch item is 412 and writes nothing', async (t) => {
    const current = (await app.inject({ method: 'GET', url: `${url}/stages/self/answers`, headers: operator }))
      .json()
      .answers.find((a: { question_code: string }) => a.question_code === 'Q1')
    const stale = await batch({
      answers: [
        { question_code: 'Q1', value: 'Ya', expected_version: current.version - 1 },
        { question_code: 'Q4', value: 'A', expected_version: 0 },
      ],
    })
    t.equal(stale.statusCode, 412)
    t.same(
      stale.json().errors.map((e: { pointer: string }) => e.pointer),
      ['/body/answers/0/expected_version'],
    )
    const after = (await app.inject({ method: 'GET', url: `${url}/stages/self/answers`, headers: operator })).json()
      .answers
    t.notOk(
      after.some((a: { question_code: string }) => a.question_code === 'Q4'),
      'the fresh item was not written either',
    )
  })

  t.test('two evaluators, one ETag: exactly one write wins', async (t) => {
    const first = await app.inject({
      method: 'PUT',
      url: `${url}/stages/self/answers/Q5`,
      headers: operator,
      payload: { value: 'A' },
    })
    t.equal(first.statusCode, 201)
    const etag = first.headers.etag as string
    const racers = await Promise.all(
      ['B', 'C', 'A', 'B', 'C', 'A'].map((value) =>
        app.inject({
          method: 'PUT',
          url: `${url}/stages/self/answers/Q5`,
          headers: { ...operator, 'if-match': etag },
          payload: { value },
        }),
      ),
    )
    const codes = racers.map((r) => r.statusCode).sort()
    t.same(codes, [200, 412, 412, 412, 412, 412], 'one 200, the rest 412')
    const [row] = await app.db.select().from(answersTable).where(eq(answersTable.questionCode, 'Q5'))
    t.equal(row!.version, 2, 'one update happened')
    const winner = racers.find((r) => r.statusCode === 200)!
    t.equal(row!.value, winner.json().value, 'the stored value is the winner’s')
  })

  t.test('parallel creates of the same assessment: one 201, the others 409', async (t) => {
    const res = await Promise.all(
      Array.from({ length: 5 }, () =>
        app.inject({
          method: 'POST',
          url: '/v1/assessments',
          headers: admin,
          payload: { period_id: period.id, unit_id: tree.b2.id },
        }),
      ),
    )
    t.same(res.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409])
    t.ok(res.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'assessment_exists'))
  })

  t.test(
    'Idempotency-Key on batch: a retry replays, another body is refused, parallel retries write once',
    async (t) => {
      const payload = {
        answers: [
          { question_code: 'Q6', value: 'B' },
          { question_code: 'Q7', value: 'A' },
        ],
      }
      const headers = { ...operator, 'idempotency-key': 'script-run-42/batch-1' }
      const first = await batch(payload, headers)
      t.equal(first.statusCode, 200, first.body)
      const versionAfterFirst = await stageVersion()
      const retry = await batch(payload, headers)
      t.equal(retry.statusCode, 200)
      t.equal(retry.headers['idempotent-replayed'], 'true')
      t.same(retry.json(), first.json(), 'the first response, byte for byte')
      t.equal(await stageVersion(), versionAfterFirst, 'the retry wrote nothing')
      const reused = await batch({ answers: [{ question_code: 'Q6', value: 'C' }] }, headers)
      t.equal(reused.statusCode, 422)
      t.equal(reused.json().code, 'idempotency_key_reused')

      const parallelHeaders = { ...operator, 'idempotency-key': 'script-run-42/batch-2' }
      const parallel = await Promise.all(
        Array.from({ length: 4 }, () => batch({ answers: [{ question_code: 'Q8', value: 'C' }] }, parallelHeaders)),
      )
      const statuses = parallel.map((r) => r.statusCode)
      t.ok(
        statuses.every((s) => s === 200 || s === 409),
        `each is the result or "in progress": ${statuses}`,
      )
      t.ok(statuses.includes(200))
      for (const r of parallel.filter((r) => r.statusCode === 409)) t.equal(r.json().code, 'idempotency_in_progress')
      const [q8] = await app.db.select().from(answersTable).where(eq(answersTable.questionCode, 'Q8'))
      t.equal(q8!.version, 1, 'written once')
    },
  )

  t.test('parallel batches on one stage serialise: every answer lands, the total matches the answers', async (t) => {
    const writes = ['Q10', 'Q11', 'Q12', 'Q13', 'Q14', 'Q15'].map((code) =>
      batch({ answers: [{ question_code: code, value: code === 'Q12' || code === 'Q13' ? 'B' : 'A' }] }),
    )
    const res = await Promise.all(writes)
    t.same(
      res.map((r) => r.statusCode),
      [200, 200, 200, 200, 200, 200],
    )
    const stage = (await app.inject({ method: 'GET', url, headers: admin })).json().stages[0]
    const score = (await app.inject({ method: 'GET', url: `${url}/stages/self/score`, headers: admin })).json()
    t.equal(stage.total, score.total, 'the stored total is the score of the stored answers (no lost update)')
  })
})
