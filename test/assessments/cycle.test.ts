import { readFileSync } from 'node:fs'
import { eq } from 'drizzle-orm'
import t from 'tap'
import { evaluateEligibility, scoreInstrument, type AnswerValue } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { stageSnapshots } from '../../src/modules/assessments/tables.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'
import { asScore, asServedEligibility, noisyNumbers } from '../helpers/precision.js'

/**
 * One unit's whole year through the API: declare ZI, open the assessment, fill the LKE
 * (batch and single answers), submit, get it returned with comments, revise, resubmit, the TPI
 * starts from a copy, changes a few answers, submits, the admin approves; scores, eligibility,
 * the self→tpi diff and the frozen snapshots all agree with the scoring engine.
 */
const fixture = JSON.parse(readFileSync(new URL('../fixtures/golden/pemda-sample.json', import.meta.url), 'utf8')) as {
  answers: Record<string, AnswerValue>
}
const def = loadSeedInstrument()

t.test('the ZI cycle of one unit', async (t) => {
  const ctx = await buildTestApp(t)
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const seeded = (
    await app.inject({
      method: 'GET',
      url: '/v1/instruments?status=published',
      headers: bearer(await createToken(ctx, 'admin')),
    })
  )
    .json()
    .items.find((i: { code: string }) => i.code === def.code)
  t.ok(seeded, 'the bundled instrument is published')
  const period = await insertPeriod(ctx, { instrumentVersionId: seeded.id })
  const admin = bearer(await createToken(ctx, 'admin'))
  const operator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.a1.id] }))
  const otherOperator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.b1.id] }))
  const evaluator = bearer(await createToken(ctx, 'evaluator', { unitIds: [tree.opdA.id] }))
  const viewer = bearer(await createToken(ctx, 'viewer'))

  // 1. declare
  const declared = await app.inject({
    method: 'POST',
    url: '/v1/declarations',
    headers: operator,
    payload: { period_id: period.id, unit_id: tree.a1.id, target: 'WBK', declared_on: '2026-01-20' },
  })
  t.equal(declared.statusCode, 201, declared.body)

  // 2. open the assessment (idempotent create)
  const create = (headers: Record<string, string>, key?: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) },
      payload: { period_id: period.id, unit_id: tree.a1.id },
    })
  t.equal(
    (await create(otherOperator)).statusCode,
    422,
    'an operator of another unit cannot open it (the unit is out of scope)',
  )
  const opened = await create(operator, 'open-a1')
  t.equal(opened.statusCode, 201, opened.body)
  const assessment = opened.json()
  t.match(assessment, {
    unit_id: tree.a1.id,
    period_id: period.id,
    instrument_version_id: seeded.id,
    stages: [{ kind: 'self', status: 'draft', total: null }],
  })
  const replay = await create(operator, 'open-a1')
  t.equal(replay.statusCode, 201, 'the retried create replays the first response')
  t.equal(replay.json().id, assessment.id)
  const again = await create(operator)
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'assessment_exists')
  const url = `/v1/assessments/${assessment.id}`

  // 3. fill: all but two answers in one batch, then single answers with ETags
  const codes = Object.keys(fixture.answers)
  const [lastA, lastB] = [codes[codes.length - 2]!, codes[codes.length - 1]!]
  const batch = await app.inject({
    method: 'POST',
    url: `${url}/stages/self/answers/batch`,
    headers: { ...operator, 'idempotency-key': 'fill-1' },
    payload: {
      answers: codes
        .slice(0, -2)
        .map((code) => ({ question_code: code, value: fixture.answers[code], note: `catatan ${code}` })),
    },
  })
  t.equal(batch.statusCode, 200, batch.body)
  t.equal(batch.json().answers.length, codes.length - 2)
  const unanswered = (await app.inject({ method: 'GET', url: `${url}/stages/self/score`, headers: operator })).json()
  t.same(unanswered.unanswered.sort(), [lastA, lastB].sort(), 'the two missing questions are listed as unanswered')

  const put = (code: string, value: AnswerValue, headers: Record<string, string>, extra: Record<string, string> = {}) =>
    app.inject({
      method: 'PUT',
      url: `${url}/stages/self/answers/${code}`,
      headers: { ...headers, ...extra },
      payload: { value },
    })
  const createdA = await put(lastA, fixture.answers[lastA]!, operator)
  t.equal(createdA.statusCode, 201, createdA.body)
  t.equal(createdA.headers.etag, '"1"')
  t.equal((await put(lastB, fixture.answers[lastB]!, operator)).statusCode, 201)
  t.equal((await put(lastA, fixture.answers[lastA]!, operator)).statusCode, 428, 'changing an answer needs If-Match')
  t.equal(
    (await put(lastA, fixture.answers[lastA]!, operator, { 'if-match': '"7"' })).statusCode,
    412,
    'a stale ETag is refused',
  )
  const same = await put(lastA, fixture.answers[lastA]!, operator, { 'if-match': '"1"' })
  t.equal(same.statusCode, 200)
  t.equal(same.json().version, 1, 'the same answer again changes nothing')
  const noted = await app.inject({
    method: 'PUT',
    url: `${url}/stages/self/answers/${lastA}`,
    headers: { ...operator, 'if-match': '"1"' },
    payload: { value: fixture.answers[lastA]!, note: 'dicek' },
  })
  t.equal(noted.statusCode, 200)
  t.equal(noted.headers.etag, '"2"', 'a new note is a change')

  const selfScore = (
    await app.inject({ method: 'GET', url: `${url}/stages/self/score?explain=true`, headers: operator })
  ).json()
  const expected = scoreInstrument(def, fixture.answers)
  t.equal(
    selfScore.total,
    asScore(expected.total),
    `self total ${selfScore.total} = engine ${expected.total}, to 2 decimals`,
  )
  t.same(noisyNumbers(selfScore), [], 'no float noise in the score view')
  t.same(selfScore.unanswered, [])
  t.equal(
    selfScore.explanation.questions.length,
    expected.questions.length,
    'every question explained, derived ratios included',
  )
  t.same(
    selfScore.eligibility,
    JSON.parse(JSON.stringify(asServedEligibility(evaluateEligibility(def, expected)))),
    'eligibility is the engine’s, rule by rule',
  )
  t.ok(
    selfScore.eligibility.rules.every(
      (r: { rule: string; passed: boolean }) => typeof r.passed === 'boolean' && r.rule,
    ),
    'every rule says whether it passed',
  )

  // 4. submit → returned with comments → revise → resubmit
  const move = (stage: string, to: string, headers: Record<string, string>, extra: Record<string, unknown> = {}) =>
    app.inject({ method: 'POST', url: `${url}/stages/${stage}/transitions`, headers, payload: { to, ...extra } })
  const submitted = await move('self', 'submitted', operator)
  t.equal(submitted.statusCode, 200, submitted.body)
  t.equal(submitted.json().status, 'submitted')
  const locked = await put(lastA, fixture.answers[lastA]!, operator, { 'if-match': '"2"' })
  t.equal(locked.statusCode, 409, 'a submitted stage is locked')
  t.equal(locked.json().code, 'stage_locked')
  t.equal((await move('self', 'approved', operator)).statusCode, 403, 'the unit cannot approve its own self-assessment')
  const noReason = await move('self', 'returned', evaluator)
  t.equal(noReason.statusCode, 422)
  t.equal(noReason.json().code, 'reason_required')
  const badComment = await move('self', 'returned', evaluator, {
    reason: 'lengkapi',
    comments: [{ question_code: 'NOPE', body: 'x' }],
  })
  t.equal(badComment.statusCode, 422)
  t.equal(badComment.json().code, 'comments_invalid')
  const returned = await move('self', 'returned', evaluator, {
    reason: 'Bukti dukung belum lengkap',
    comments: [{ question_code: 'Q1', body: 'Lampirkan SK tim' }],
  })
  t.equal(returned.statusCode, 200, returned.body)
  t.equal(returned.json().status, 'returned')
  const thread = (await app.inject({ method: 'GET', url: `${url}/questions/Q1/comments`, headers: operator })).json()
  t.match(thread.items, [{ question_code: 'Q1', body: 'Lampirkan SK tim', author_role: 'evaluator' }])
  const reply = await app.inject({
    method: 'POST',
    url: `${url}/questions/Q1/comments`,
    headers: operator,
    payload: { body: 'SK sudah diunggah' },
  })
  t.equal(reply.statusCode, 201, reply.body)
  const revised = await app.inject({
    method: 'POST',
    url: `${url}/stages/self/answers/batch`,
    headers: operator,
    payload: { answers: [{ question_code: 'Q1', value: 'Ya', note: 'SK Tim ZI No. 1/2026' }] },
  })
  t.equal(revised.statusCode, 200, revised.body)
  t.equal((await move('self', 'submitted', operator)).statusCode, 200, 'resubmitted after revision')

  // 5. the TPI starts from a copy of the submitted self answers, changes some, submits
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: `${url}/stages`,
        headers: operator,
        payload: { kind: 'tpi', copy_from: 'self' },
      })
    ).statusCode,
    403,
    'a unit operator cannot start the TPI stage',
  )
  const tpi = await app.inject({
    method: 'POST',
    url: `${url}/stages`,
    headers: evaluator,
    payload: { kind: 'tpi', copy_from: 'self' },
  })
  t.equal(tpi.statusCode, 201, tpi.body)
  t.equal(tpi.json().total, selfScore.total, 'the copy scores what the self stage scored')
  const hidden = await app.inject({ method: 'GET', url: `${url}/stages/tpi/answers`, headers: operator })
  t.equal(hidden.statusCode, 404, 'the unit does not see the TPI working draft')
  const lowered = ['Q2', 'Q4'].filter((c) => fixture.answers[c] === 'A')
  t.ok(lowered.length > 0)
  const tpiBatch = await app.inject({
    method: 'POST',
    url: `${url}/stages/tpi/answers/batch`,
    headers: evaluator,
    payload: { answers: lowered.map((c) => ({ question_code: c, value: 'C', note: 'tidak ada bukti' })) },
  })
  t.equal(tpiBatch.statusCode, 200, tpiBatch.body)
  t.equal((await move('tpi', 'submitted', evaluator)).statusCode, 200)
  t.equal(
    (await move('tpi', 'approved', evaluator)).statusCode,
    403,
    'the evaluator does not approve its own verification',
  )
  const approved = await move('tpi', 'approved', admin)
  t.equal(approved.statusCode, 200, approved.body)
  t.equal(approved.json().status, 'approved')
  t.ok(approved.json().approved_at)
  const afterApproval = await move('tpi', 'returned', admin, { reason: 'x' })
  t.equal(afterApproval.statusCode, 409, 'an approved stage is locked')
  t.same(afterApproval.json().allowed, [])

  // 6. scores, eligibility and diff agree with the engine
  const tpiAnswers = { ...fixture.answers, Q1: 'Ya', ...Object.fromEntries(lowered.map((c) => [c, 'C'])) }
  const tpiExpected = scoreInstrument(def, tpiAnswers)
  const tpiScore = (await app.inject({ method: 'GET', url: `${url}/stages/tpi/score`, headers: viewer })).json()
  t.equal(tpiScore.total, asScore(tpiExpected.total), `tpi total ${tpiScore.total} = engine ${tpiExpected.total}`)
  t.same(tpiScore.eligibility, JSON.parse(JSON.stringify(asServedEligibility(evaluateEligibility(def, tpiExpected)))))
  t.notOk(tpiScore.explanation, 'no explanation unless asked')
  const diff = (await app.inject({ method: 'GET', url: `${url}/diff?from=self&to=tpi`, headers: viewer })).json()
  t.same(
    diff.changes.map((c: { question_code: string }) => c.question_code).sort(),
    [...lowered].sort(),
    'only what the evaluator changed',
  )
  for (const change of diff.changes) {
    t.equal(change.from, 'A')
    t.equal(change.to, 'C')
    t.ok(change.from_value > change.to_value, `${change.question_code} lost value`)
  }
  t.ok(diff.total_effect < 0)
  // Each figure is rounded once from the unrounded ones: the effect may differ from the rounded
  // totals' difference by a rounding step, never more.
  t.ok(Math.abs(diff.total_effect - (diff.to.total - diff.from.total)) <= 0.01 + 1e-9)
  t.same(noisyNumbers(diff), [], 'no float noise in the diff')
  t.equal(diff.to.total, tpiScore.total)

  // 7. snapshots: one per submit and approval, frozen in the database
  const selfSnaps = (await app.inject({ method: 'GET', url: `${url}/stages/self/snapshots`, headers: viewer })).json()
    .items
  t.same(
    selfSnaps.map((s: { status: string }) => s.status),
    ['submitted', 'submitted'],
  )
  t.equal(
    selfSnaps[1].answers.find((a: { question_code: string }) => a.question_code === 'Q1').note,
    'SK Tim ZI No. 1/2026',
    'the second snapshot holds the revision',
  )
  const tpiSnaps = (await app.inject({ method: 'GET', url: `${url}/stages/tpi/snapshots`, headers: viewer })).json()
    .items
  t.same(
    tpiSnaps.map((s: { status: string }) => s.status),
    ['submitted', 'approved'],
  )
  t.equal(tpiSnaps[1].total, asScore(tpiExpected.total))
  await t.rejects(
    app.db.update(stageSnapshots).set({ status: 'draft' }).where(eq(stageSnapshots.stageId, tpi.json().id)),
    { cause: { code: '23001', message: 'stage_snapshots is append-only' } },
    'the database refuses to rewrite a snapshot',
  )
  await t.rejects(
    app.db.delete(stageSnapshots).where(eq(stageSnapshots.stageId, tpi.json().id)),
    { cause: { code: '23001', message: 'stage_snapshots is append-only' } },
    'or to delete one',
  )

  // 8. every step is in the audit trail
  const actions = (await app.db.select({ action: auditEvents.action }).from(auditEvents)).map((r) => r.action)
  for (const action of [
    'assessment.created',
    'answers.batch_written',
    'answer.created',
    'answer.updated',
    'stage.submitted',
    'stage.returned',
    'stage.started',
    'stage.approved',
  ]) {
    t.ok(actions.includes(action), `audited: ${action}`)
  }
})
