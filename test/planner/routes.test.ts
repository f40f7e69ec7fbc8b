/**
 * The plan where it shows: a stage's plan (scoped like the stage), the what-if on an instrument
 * version, and the period dashboard ranking units by the changes they need. The worked example of
 * docs/improvement-plan.md: a unit kerja at about 71 points, four changes from WBK.
 */
import { readFileSync } from 'node:fs'
import { and, eq } from 'drizzle-orm'
import t from 'tap'
import {
  evaluateEligibility,
  planImprovement,
  scoreInstrument,
  type AnswerValue,
} from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { stageMetrics } from '../../src/modules/assessments/metrics-table.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'
import { noisyNumbers } from '../helpers/precision.js'

const def = loadSeedInstrument()
const unit71 = (
  JSON.parse(readFileSync(new URL('../../docs/examples/unit-71.json', import.meta.url), 'utf8')) as {
    answers: Record<string, AnswerValue>
  }
).answers
const expected = planImprovement(def, unit71, 'WBK')

t.test('plan routes', async (t) => {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '100000', WEBHOOK_WORKER: 'false' })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const [seeded] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, def.code))
  const versionId = seeded!.id
  const period = await insertPeriod(ctx, { instrumentVersionId: versionId, year: 2026, code: 'ZI-2026' })
  const admin = bearer(await createToken(ctx, 'admin'))
  const operatorA1 = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.a1.id] }))
  const operatorB1 = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.b1.id] }))
  const call = async (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
  const ok = async (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: unknown) => {
    const res = await call(method, url, headers, payload)
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json()
  }
  const open = async (unitId: string) =>
    (await ok('POST', '/v1/assessments', admin, { period_id: period.id, unit_id: unitId })).id as string
  const fill = (id: string, answers: Record<string, AnswerValue>) =>
    ok('POST', `/v1/assessments/${id}/stages/self/answers/batch`, admin, {
      answers: Object.entries(answers).map(([question_code, value]) => ({ question_code, value })),
    })

  const a1 = await open(tree.a1.id)
  await fill(a1, unit71)
  const b1 = await open(tree.b1.id)
  const best = Object.fromEntries(
    def.nodes
      .filter((n) => n.level === 'question' && !n.formula)
      .map((n) => [n.code, n.options ? n.options[0]!.value : n.answerType === 'survey_index' ? 4 : 5]),
  )
  await fill(b1, best)
  const a2 = await open(tree.a2.id)
  await fill(a2, { ...unit71, Q125: 2.5 })

  t.test('the stage plan: four changes from WBK, each with its evidence guidance', async (t) => {
    const res = await call('GET', `/v1/assessments/${a1}/stages/self/plan?target=WBK`, operatorA1)
    t.equal(res.statusCode, 200, res.body)
    const body = res.json()
    t.same(noisyNumbers(body), [], 'no float noise in the plan')
    t.equal(body.stage, 'self')
    t.equal(body.plan.reachable, true)
    t.equal(body.plan.changes, expected.changes)
    t.equal(body.plan.changes, 4)
    t.ok(body.plan.before.total > 70 && body.plan.before.total < 72)
    t.same(
      body.plan.steps.map((s: { code: string; proposed: unknown }) => [s.code, s.proposed]),
      expected.steps.map((s) => [s.code, s.proposed]),
    )
    for (const s of body.plan.steps)
      t.ok(s.evidence_guidance && s.evidence_guidance.length > 20, `${s.code} carries its evidence guidance`)
    // applying the plan through the what-if score route reaches WBK
    const applied = { ...unit71 }
    for (const s of body.plan.steps) applied[s.code] = s.proposed
    const score = await ok('POST', `/v1/instruments/${versionId}/score`, admin, { answers: applied })
    t.equal(score.eligibility.predicate, 'WBK')
    t.same(
      body.plan.failing.map((f: { rule: string }) => f.rule),
      ['wbk-total', 'wbk-pengungkit', 'wbk-area-3', 'wbk-area-4', 'wbk-area-5'],
    )
  })

  t.test('each question is served with its evidence guidance', async (t) => {
    const version = await ok('GET', `/v1/instruments/${versionId}`, operatorA1)
    const questions = version.nodes.filter((n: { level: string }) => n.level === 'question')
    t.equal(questions.length, 135)
    t.same(
      questions
        .filter((n: { evidence_guidance?: string }) => !n.evidence_guidance)
        .map((n: { code: string }) => n.code),
      [],
    )
    t.equal(
      questions.find((n: { code: string }) => n.code === 'Q1').evidence_guidance,
      def.nodes.find((n) => n.code === 'Q1')?.evidenceGuidance,
    )
  })

  t.test('options: max_changes and fixed in the query', async (t) => {
    const capped = (await ok('GET', `/v1/assessments/${a1}/stages/self/plan?target=WBK&max_changes=2`, admin)).plan
    t.equal(capped.reachable, false)
    t.equal(capped.unreachable_reason, 'max_changes')
    t.ok(capped.changes <= 2)
    const held = (
      await ok(
        'GET',
        `/v1/assessments/${a1}/stages/self/plan?target=WBK&fixed=Q124&fixed=Q125&fixed=Q126&fixed=Q127&fixed=Q103`,
        admin,
      )
    ).plan
    t.notOk(held.steps.some((s: { code: string }) => s.code === 'Q124' || s.code === 'Q103'))
    t.same(held.fixed, ['Q124', 'Q125', 'Q126', 'Q127', 'Q103'])
  })

  t.test('scope, 404 and bad input', async (t) => {
    t.equal(
      (await call('GET', `/v1/assessments/${a1}/stages/self/plan?target=WBK`, operatorB1)).statusCode,
      404,
      'another unit’s stage is not found',
    )
    t.equal(
      (await call('GET', `/v1/assessments/00000000-0000-4000-8000-000000000000/stages/self/plan?target=WBK`, admin))
        .statusCode,
      404,
    )
    t.equal(
      (await call('GET', `/v1/assessments/${a1}/stages/tpi/plan?target=WBK`, admin)).statusCode,
      404,
      'no tpi stage yet',
    )
    const bad = await call('GET', `/v1/assessments/${a1}/stages/self/plan?target=WBKX`, admin)
    t.equal(bad.statusCode, 400)
    t.match(bad.headers['content-type'], /application\/problem\+json/)
    t.equal((await call('GET', `/v1/assessments/${a1}/stages/self/plan`, admin)).statusCode, 400, 'target is required')
    t.equal(
      (await call('GET', `/v1/assessments/${a1}/stages/self/plan?target=WBK&max_changes=-1`, admin)).statusCode,
      400,
    )
    const unknown = await call('GET', `/v1/assessments/${a1}/stages/self/plan?target=WBK&fixed=Q999`, admin)
    t.equal(unknown.statusCode, 422)
    t.equal(unknown.json().code, 'plan_invalid_option')
    t.equal(unknown.json().errors[0].pointer, '/query/fixed')
  })

  t.test('what-if on an instrument version', async (t) => {
    const plan = await ok('POST', `/v1/instruments/${versionId}/plan`, operatorA1, { target: 'WBK', answers: unit71 })
    t.equal(plan.changes, 4)
    const wbbm = await ok('POST', `/v1/instruments/${versionId}/plan`, admin, { target: 'WBBM', answers: unit71 })
    t.ok(wbbm.changes > plan.changes, 'WBBM needs more')
    const s = scoreInstrument(def, {
      ...unit71,
      ...Object.fromEntries(wbbm.steps.map((x: { code: string; proposed: AnswerValue }) => [x.code, x.proposed])),
    })
    t.equal(wbbm.reachable, evaluateEligibility(def, s).predicate === 'WBBM')
    const costly = await ok('POST', `/v1/instruments/${versionId}/plan`, admin, {
      target: 'WBK',
      answers: unit71,
      costs: { Q124: 5, Q103: 5 },
    })
    t.ok(costly.cost >= plan.cost)
    t.notOk(costly.steps.some((x: { code: string }) => x.code === 'Q124' && costly.cost === plan.cost))
    const invalid = await call('POST', `/v1/instruments/${versionId}/plan`, admin, {
      target: 'WBK',
      answers: { Q1: 'Maybe' },
    })
    t.equal(invalid.statusCode, 422)
    t.equal(invalid.json().code, 'answers_invalid')
    const badCost = await call('POST', `/v1/instruments/${versionId}/plan`, admin, {
      target: 'WBK',
      answers: unit71,
      costs: { Q1: 0 },
    })
    t.equal(badCost.statusCode, 400)
    const extra = await call('POST', `/v1/instruments/${versionId}/plan`, admin, {
      target: 'WBK',
      answers: unit71,
      surprise: 1,
    })
    t.equal(extra.statusCode, 400)
    t.equal(
      (
        await call('POST', `/v1/instruments/00000000-0000-4000-8000-000000000000/plan`, admin, {
          target: 'WBK',
          answers: {},
        })
      ).statusCode,
      404,
    )
    t.equal(
      (await call('POST', `/v1/instruments/${versionId}/plan`, admin, { target: 'wbk', answers: {} })).statusCode,
      400,
    )
  })

  t.test('the dashboard ranks units by the changes they need', async (t) => {
    const body = await ok('GET', `/v1/dashboards/periods/${period.id}/closest-by-changes?target=WBK`, admin)
    t.same(noisyNumbers(body, 2), [], 'totals and points short to 2 decimals')
    t.same(
      body.items.map((i: { unit: { id: string }; changes: number; label: string }) => [i.unit.id, i.changes, i.label]),
      [[tree.a1.id, 4, '4 questions from WBK']],
      'b1 already meets WBK; a2’s survey index keeps it out of reach',
    )
    t.equal(body.out_of_reach, 1)
    const wbbm = await ok('GET', `/v1/dashboards/periods/${period.id}/closest-by-changes?target=WBBM`, admin)
    t.same(
      wbbm.items.map((i: { unit: { id: string } }) => i.unit.id),
      [tree.a1.id],
    )
    const scoped = await ok('GET', `/v1/dashboards/periods/${period.id}/closest-by-changes?target=WBK`, operatorB1)
    t.same(scoped.items, [], 'an operator sees only its own unit')
    t.equal(
      (await call('GET', `/v1/dashboards/periods/${period.id}/closest-by-changes?target=X`, admin)).statusCode,
      400,
    )
    t.equal(
      (
        await call(
          'GET',
          `/v1/dashboards/periods/00000000-0000-4000-8000-000000000000/closest-by-changes?target=WBK`,
          admin,
        )
      ).statusCode,
      404,
    )
  })

  t.test(
    'plan counts follow each write off its path: a dashboard read plans pending stages in memory, the worker stores them once the stage is quiet',
    async (t) => {
      const counts = async (assessmentId: string) => {
        const [row] = await app.db
          .select({ wbk: stageMetrics.wbkChanges, checked: stageMetrics.planChecked })
          .from(stageMetrics)
          .where(and(eq(stageMetrics.assessmentId, assessmentId), eq(stageMetrics.kind, 'self')))
        return row!
      }
      // one of the four planned changes made: three to go
      const step = expected.steps[0]!
      await fill(a1, { [step.code]: step.proposed })
      const body = await ok('GET', `/v1/dashboards/periods/${period.id}/closest-by-changes?target=WBK`, admin)
      t.same(
        body.items.map((i: { unit: { id: string }; changes: number }) => [i.unit.id, i.changes]),
        [[tree.a1.id, 3]],
        'a read right after the write ranks the unit by its new answers',
      )
      t.same(await counts(a1), { wbk: null, checked: false }, 'the read stored nothing: the worker does')
      let row = await counts(a1)
      for (let i = 0; i < 250 && !row.checked; i++) {
        await new Promise((r) => setTimeout(r, 100))
        row = await counts(a1)
      }
      t.same(row, { wbk: 3, checked: true }, 'three changes, stored by the worker once the stage is quiet')

      // the change undone
      await fill(a1, { [step.code]: unit71[step.code] ?? null })
      row = await counts(a1)
      for (let i = 0; i < 250 && !row.checked; i++) {
        await new Promise((r) => setTimeout(r, 100))
        row = await counts(a1)
      }
      t.same(row, { wbk: 4, checked: true }, 'back at four changes, filled in by the worker')
    },
  )
})
