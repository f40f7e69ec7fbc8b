import { and, count, eq } from 'drizzle-orm'
import t from 'tap'
import { answers as answersTable, stageSnapshots, stageTransitions } from '../../src/modules/assessments/tables.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

/**
 * Many writers at once (test/assessments/answers.test.ts has the small cases): on PostgreSQL
 * (DATABASE_URL set) the requests run in parallel on separate pooled connections, so these are
 * real races; on PGlite they interleave on one connection. Whatever the interleaving: exactly
 * one winner per version, no lost update, one effect per Idempotency-Key, one winner per
 * status transition, and the losers get the documented 4xx, never a 5xx.
 */
t.test('concurrent writers', async (t) => {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '1000000', LOG_LEVEL: 'warn' })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const [lke] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
  const period = await insertPeriod(ctx, { instrumentVersionId: lke!.id })
  const admin = bearer(await createToken(ctx, 'admin'))
  const operator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.opdA.id, tree.opdB.id] }))

  const open = async (unitId: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: admin,
      payload: { period_id: period.id, unit_id: unitId },
    })
    if (res.statusCode !== 201) throw new Error(res.body)
    return { url: `/v1/assessments/${res.json().id}`, stageId: res.json().stages[0].id as string }
  }
  const answer = async (url: string, code: string) => {
    const res = await app.inject({ method: 'GET', url: `${url}/stages/self/answers`, headers: operator })
    return (
      res.json().answers as { question_code: string; value: unknown; note: string | null; version: number }[]
    ).find((a) => a.question_code === code)
  }
  const auditCount = async (action: string, entityId?: string) =>
    (
      await app.db
        .select({ n: count() })
        .from(auditEvents)
        .where(and(eq(auditEvents.action, action), entityId ? eq(auditEvents.entityId, entityId) : undefined))
    )[0]!.n
  const tally = (statuses: number[]) =>
    Object.fromEntries([...new Set(statuses)].sort().map((s) => [s, statuses.filter((x) => x === s).length]))

  const a1 = await open(tree.a1.id)

  await t.test(
    '50 writers with the same If-Match: exactly one wins each version, the stored answer is the winner’s',
    async (t) => {
      const first = await app.inject({
        method: 'PUT',
        url: `${a1.url}/stages/self/answers/Q5`,
        headers: operator,
        payload: { value: 'A', note: 'first' },
      })
      t.equal(first.statusCode, 201)
      const answerId = (
        await app.db
          .select({ id: answersTable.id })
          .from(answersTable)
          .where(and(eq(answersTable.stageId, a1.stageId), eq(answersTable.questionCode, 'Q5')))
      )[0]!.id
      let etag = first.headers.etag as string
      for (let round = 1; round <= 3; round++) {
        const racers = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            app.inject({
              method: 'PUT',
              url: `${a1.url}/stages/self/answers/Q5`,
              headers: { ...operator, 'if-match': etag },
              payload: { value: ['A', 'B', 'C'][i % 3]!, note: `round ${round} writer ${i}` },
            }),
          ),
        )
        t.same(tally(racers.map((r) => r.statusCode)), { 200: 1, 412: 49 }, `round ${round}: one 200, 49 × 412`)
        t.ok(racers.filter((r) => r.statusCode === 412).every((r) => r.json().code === 'precondition_failed'))
        const winner = racers.find((r) => r.statusCode === 200)!.json()
        const stored = await answer(a1.url, 'Q5')
        t.equal(stored?.version, round + 1, `round ${round}: exactly one more version`)
        t.equal(stored?.note, winner.note, 'the stored note is the winner’s')
        t.equal(stored?.value, winner.value, 'the stored value is the winner’s')
        t.equal(await auditCount('answer.updated', answerId), round, 'one audit event per version')
        etag = `"${stored!.version}"`
      }
    },
  )

  await t.test('12 read-modify-write incrementers with If-Match and retry: no increment is lost', async (t) => {
    t.equal(
      (
        await app.inject({
          method: 'PUT',
          url: `${a1.url}/stages/self/answers/Q88`,
          headers: operator,
          payload: { value: 0 },
        })
      ).statusCode,
      201,
    )
    let attempts = 0
    const increment = async () => {
      for (;;) {
        const current = (await answer(a1.url, 'Q88'))!
        attempts++
        const res = await app.inject({
          method: 'PUT',
          url: `${a1.url}/stages/self/answers/Q88`,
          headers: { ...operator, 'if-match': `"${current.version}"` },
          payload: { value: (current.value as number) + 1 },
        })
        if (res.statusCode === 200) return
        if (res.statusCode !== 412) throw new Error(`unexpected ${res.statusCode}: ${res.body}`)
      }
    }
    await Promise.all(Array.from({ length: 12 }, increment))
    const stored = await answer(a1.url, 'Q88')
    t.equal(stored?.value, 12, `12 increments, 12 counted (${attempts} attempts)`)
    t.equal(stored?.version, 13)
  })

  await t.test('50 batches with the same expected_version: one writes, 49 × 412, nothing half-written', async (t) => {
    const before = await answer(a1.url, 'Q5')
    const res = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        app.inject({
          method: 'POST',
          url: `${a1.url}/stages/self/answers/batch`,
          headers: operator,
          payload: {
            answers: [
              { question_code: 'Q5', value: 'B', note: `batch ${i}`, expected_version: before!.version },
              { question_code: 'Q3', value: 'Ya', note: `batch ${i}` },
            ],
          },
        }),
      ),
    )
    t.same(tally(res.map((r) => r.statusCode)), { 200: 1, 412: 49 })
    const winner = res.find((r) => r.statusCode === 200)!.json()
    const stored = await answer(a1.url, 'Q5')
    t.equal(stored?.version, before!.version + 1)
    t.equal(stored?.note, winner.answers.find((a: { question_code: string }) => a.question_code === 'Q5').note)
    const second = await answer(a1.url, 'Q3')
    t.equal(second?.version, 1, 'the losers’ second items were not written either')
    t.equal(second?.note, stored?.note, 'both items are the winner’s')
  })

  await t.test('20 parallel batches with one Idempotency-Key: exactly one effect, every answer the same', async (t) => {
    const stageVersion = async () =>
      (await app.inject({ method: 'GET', url: a1.url, headers: admin })).json().stages[0].version as number
    const versionBefore = await stageVersion()
    const batchesBefore = await auditCount('answers.batch_written', a1.stageId)
    const payload = {
      answers: [
        { question_code: 'Q7', value: 'A' },
        { question_code: 'Q8', value: 'B', note: 'sekali saja' },
      ],
    }
    const headers = { ...operator, 'idempotency-key': 'reliability/batch-once' }
    const res = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.inject({ method: 'POST', url: `${a1.url}/stages/self/answers/batch`, headers, payload }),
      ),
    )
    const statuses = res.map((r) => r.statusCode)
    t.ok(
      statuses.every((s) => s === 200 || s === 409),
      `each is the result or "in progress": ${JSON.stringify(tally(statuses))}`,
    )
    t.ok(statuses.includes(200))
    t.ok(
      res
        .filter((r) => r.statusCode === 409)
        .every((r) => r.json().code === 'idempotency_in_progress' && r.headers['retry-after'] === '1'),
    )
    const retry = await app.inject({ method: 'POST', url: `${a1.url}/stages/self/answers/batch`, headers, payload })
    t.equal(retry.statusCode, 200)
    t.equal(retry.headers['idempotent-replayed'], 'true')
    for (const r of res.filter((x) => x.statusCode === 200))
      t.equal(r.body, retry.body, 'every 200 is the same response')
    t.equal(await stageVersion(), versionBefore + 1, 'the stage was written once')
    t.equal(await auditCount('answers.batch_written', a1.stageId), batchesBefore + 1, 'one audit event')
    t.equal((await answer(a1.url, 'Q7'))?.version, 1)
    t.equal((await answer(a1.url, 'Q8'))?.version, 1)
  })

  await t.test('10 parallel submits of one draft: one wins, nine 409; then returns, then stage starts', async (t) => {
    const a2 = await open(tree.a2.id)
    t.equal(
      (
        await app.inject({
          method: 'POST',
          url: `${a2.url}/stages/self/answers/batch`,
          headers: operator,
          payload: { answers: [{ question_code: 'Q1', value: 'Ya' }] },
        })
      ).statusCode,
      200,
    )
    const transition = (body: Record<string, unknown>, headers = operator) =>
      app.inject({ method: 'POST', url: `${a2.url}/stages/self/transitions`, headers, payload: body })

    const submits = await Promise.all(Array.from({ length: 10 }, () => transition({ to: 'submitted' })))
    t.same(tally(submits.map((r) => r.statusCode)), { 200: 1, 409: 9 })
    t.ok(
      submits
        .filter((r) => r.statusCode === 409)
        .every((r) => r.json().code === 'invalid_transition' && r.json().stage_status === 'submitted'),
      'the losers see it submitted',
    )
    const snapshots = async (status: string) =>
      (
        await app.db
          .select({ n: count() })
          .from(stageSnapshots)
          .where(and(eq(stageSnapshots.stageId, a2.stageId), eq(stageSnapshots.status, status as 'submitted')))
      )[0]!.n
    const moves = async (to: string) =>
      (
        await app.db
          .select({ n: count() })
          .from(stageTransitions)
          .where(and(eq(stageTransitions.stageId, a2.stageId), eq(stageTransitions.toStatus, to as 'submitted')))
      )[0]!.n
    t.equal(await snapshots('submitted'), 1, 'one snapshot')
    t.equal(await moves('submitted'), 1, 'one transition row')
    t.equal(await auditCount('stage.submitted', a2.stageId), 1, 'one audit event')

    const returns = await Promise.all(
      Array.from({ length: 10 }, (_, i) => transition({ to: 'returned', reason: `Bukti kurang (${i})` }, admin)),
    )
    t.same(tally(returns.map((r) => r.statusCode)), { 200: 1, 409: 9 })
    t.equal(await moves('returned'), 1)

    t.equal((await transition({ to: 'submitted' })).statusCode, 200, 'submitted again')
    const starts = await Promise.all(
      Array.from({ length: 10 }, () =>
        app.inject({
          method: 'POST',
          url: `${a2.url}/stages`,
          headers: admin,
          payload: { kind: 'tpi', copy_from: 'self' },
        }),
      ),
    )
    t.same(tally(starts.map((r) => r.statusCode)), { 201: 1, 409: 9 })
    t.ok(starts.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'stage_exists'))
    const stages = (await app.inject({ method: 'GET', url: a2.url, headers: admin })).json().stages
    t.equal(stages.filter((s: { kind: string }) => s.kind === 'tpi').length, 1, 'one tpi stage')
    const tpi = stages.find((s: { kind: string }) => s.kind === 'tpi')
    const copied = (await app.inject({ method: 'GET', url: `${a2.url}/stages/tpi/answers`, headers: admin })).json()
      .answers
    t.equal(copied.length, 1, 'its answers copied once')
    t.equal(tpi.total, stages.find((s: { kind: string }) => s.kind === 'self').total, 'with the same total')
  })

  await t.test('parallel creates of one thing: one 201, the rest the documented 409', async (t) => {
    const declarations = await Promise.all(
      Array.from({ length: 10 }, () =>
        app.inject({
          method: 'POST',
          url: '/v1/declarations',
          headers: admin,
          payload: { unit_id: tree.b1.id, period_id: period.id, target: 'WBK', declared_on: '2026-01-20' },
        }),
      ),
    )
    t.same(tally(declarations.map((r) => r.statusCode)), { 201: 1, 409: 9 })
    t.ok(declarations.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'declaration_exists'))
    const units = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        app.inject({
          method: 'POST',
          url: '/v1/units',
          headers: admin,
          payload: { code: '9.99.01', name: `Unit balapan ${i}`, kind: 'unit', parent_id: tree.opdB.id },
        }),
      ),
    )
    t.same(tally(units.map((r) => r.statusCode)), { 201: 1, 409: 9 })
    t.ok(units.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'unit_code_taken'))
    const assessments = await Promise.all(
      Array.from({ length: 10 }, () =>
        app.inject({
          method: 'POST',
          url: '/v1/assessments',
          headers: admin,
          payload: { period_id: period.id, unit_id: tree.b1.id },
        }),
      ),
    )
    t.same(tally(assessments.map((r) => r.statusCode)), { 201: 1, 409: 9 })
  })

  t.same(
    ctx.logs.filter((l) => (l.level as number) >= 50).map((l) => l.msg),
    [],
    'no error was logged',
  )
})
