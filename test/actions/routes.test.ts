/**
 * /v1/actions over HTTP: schemas (unknown fields refused), problems naming the field and the rule,
 * ETags and If-Match, roles and scope, the events the feed and webhooks see, the summary, and the
 * overdue counts of the period dashboard.
 */
import { readFileSync } from 'node:fs'
import { eq } from 'drizzle-orm'
import t from 'tap'
import type { AnswerValue } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { buildTestApp } from '../helpers/app.js'
import { bearer, createToken } from '../helpers/auth.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

const unit71 = (
  JSON.parse(readFileSync(new URL('../../docs/examples/unit-71.json', import.meta.url), 'utf8')) as {
    answers: Record<string, AnswerValue>
  }
).answers

t.test('action plan routes', async (t) => {
  const ctx = await buildTestApp(t, { RATE_LIMIT_MAX: '100000', WEBHOOK_WORKER: 'false' })
  const { app } = ctx
  const tree = await insertSmallTree(ctx)
  const [seeded] = await app.db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, loadSeedInstrument().code))
  const period = await insertPeriod(ctx, { instrumentVersionId: seeded!.id, year: 2026 })
  const admin = bearer(await createToken(ctx, 'admin'))
  const operator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.a1.id] }))
  const otherOperator = bearer(await createToken(ctx, 'unit_operator', { unitIds: [tree.b1.id] }))
  const tpi = bearer(await createToken(ctx, 'evaluator', { unitIds: [tree.opdA.id] }))
  const viewer = bearer(await createToken(ctx, 'viewer'))
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT',
    url: string,
    headers: Record<string, string>,
    payload?: unknown,
  ) =>
    app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    })
  const feed = async () =>
    (await call('GET', '/v1/events?after=0&limit=500', admin)).json().items as {
      type: string
      subject: { id: string }
    }[]

  const base = {
    unit_id: tree.a1.id,
    period_id: period.id,
    title: 'Menyusun SK Tim Pembangunan ZI',
    pic_name: 'Kepala Subbagian Umum',
    target_date: '2026-03-31',
  }

  t.test('create, read, edit with If-Match, events', async (t) => {
    const created = await call('POST', '/v1/actions', operator, { ...base, question_code: 'Q1' })
    t.equal(created.statusCode, 201, created.body)
    t.equal(created.headers.etag, '"1"')
    const action = created.json()
    t.equal(created.headers.location, `/v1/actions/${action.id}`)
    t.equal(action.area, 'manajemen_perubahan')
    t.equal(action.area_name, 'Manajemen Perubahan')

    const unknown = await call('POST', '/v1/actions', operator, { ...base, area: 'penataan_sdm', colour: 'red' })
    t.equal(unknown.statusCode, 400)
    const mismatch = await call('POST', '/v1/actions', operator, { ...base, question_code: 'Q1', area: 'penataan_sdm' })
    t.equal(mismatch.statusCode, 422)
    t.match(mismatch.json(), {
      code: 'area_mismatch',
      errors: [{ pointer: '/body/area', rule: 'area_mismatch', message: /Q1.*manajemen_perubahan/ }],
    })
    const id = await call(
      'POST',
      '/v1/actions',
      { ...operator, 'accept-language': 'id' },
      { ...base, question_code: 'Q9999' },
    )
    t.equal(id.statusCode, 422)
    t.match(id.json(), { code: 'question_not_found', detail: /tidak ada pertanyaan Q9999/ })

    t.equal((await call('POST', '/v1/actions', viewer, { ...base, area: 'penataan_sdm' })).statusCode, 403)
    t.equal((await call('POST', '/v1/actions', tpi, { ...base, area: 'penataan_sdm' })).statusCode, 403)
    t.equal((await call('GET', `/v1/actions/${action.id}`, otherOperator)).statusCode, 404)

    const read = await call('GET', `/v1/actions/${action.id}`, viewer)
    t.equal(read.statusCode, 200)
    t.equal(read.headers.etag, '"1"')
    const stale = await call('PATCH', `/v1/actions/${action.id}`, { ...operator, 'if-match': '"5"' }, { title: 'x' })
    t.equal(stale.statusCode, 412)
    const edited = await call(
      'PATCH',
      `/v1/actions/${action.id}`,
      { ...operator, 'if-match': '"1"' },
      { target_date: '2021-04-30' },
    )
    t.equal(edited.statusCode, 200, edited.body)
    t.equal(edited.headers.etag, '"2"')
    const cancel = await call('PATCH', `/v1/actions/${action.id}`, operator, { status: 'cancelled' })
    t.equal(cancel.statusCode, 422)
    t.match(cancel.json(), {
      code: 'cancel_reason_required',
      errors: [{ pointer: '/body/cancel_reason', rule: 'cancel_reason_required' }],
    })
    t.equal((await call('PATCH', `/v1/actions/${action.id}`, operator, {})).statusCode, 400, 'an empty patch')

    const month = await call('PUT', `/v1/actions/${action.id}/realisations/2026-02`, operator, {
      progress_percent: 60,
      narrative: 'Draf SK disusun',
      evidence: [{ url: 'https://example.org/draf-sk.pdf', title: 'Draf SK' }],
    })
    t.equal(month.statusCode, 200, month.body)
    t.equal(month.json().status, 'in_progress')
    t.equal(month.json().progress_percent, 60)
    t.equal(
      (await call('PUT', `/v1/actions/${action.id}/realisations/2026-13`, operator, { progress_percent: 1 }))
        .statusCode,
      400,
    )
    t.equal(
      (await call('PUT', `/v1/actions/${action.id}/realisations/2026-03`, operator, { progress_percent: 101 }))
        .statusCode,
      400,
    )

    const noteByOperator = await call('POST', `/v1/actions/${action.id}/monitoring-notes`, operator, { note: 'x' })
    t.equal(noteByOperator.statusCode, 403)
    const note = await call('POST', `/v1/actions/${action.id}/monitoring-notes`, tpi, {
      note: 'Lampirkan SK yang ditandatangani',
    })
    t.equal(note.statusCode, 201, note.body)
    t.match(note.json().monitoring_notes, [{ note: 'Lampirkan SK yang ditandatangani', author: { role: 'evaluator' } }])

    const types = (await feed()).filter((e) => e.subject.id === action.id).map((e) => e.type)
    t.same(types, ['action.created', 'action.updated', 'action.realisation_recorded', 'action.monitoring_noted'])
  })

  t.test('from the plan, then the list, the summary and the dashboards', async (t) => {
    const assessment = (
      await call('POST', '/v1/assessments', admin, { period_id: period.id, unit_id: tree.a2.id })
    ).json()
    const filled = await call('POST', `/v1/assessments/${assessment.id}/stages/self/answers/batch`, admin, {
      answers: Object.entries(unit71).map(([question_code, value]) => ({ question_code, value })),
    })
    t.equal(filled.statusCode, 200, filled.body)
    const body = { assessment_id: assessment.id, target: 'WBK', target_date: '2021-02-28', pic_name: 'Tim Kerja ZI' }
    const first = await call('POST', '/v1/actions/from-plan', admin, body)
    t.equal(first.statusCode, 201, first.body)
    const plan = (await call('GET', `/v1/assessments/${assessment.id}/stages/self/plan?target=WBK`, admin)).json().plan
    t.same(
      first.json().created.map((a: { question_code: string }) => a.question_code),
      plan.steps.map((s: { code: string }) => s.code),
    )
    t.same(
      first.json().created.map((a: { expected_output: string | null }) => a.expected_output),
      plan.steps.map((s: { evidence_guidance?: string }) => s.evidence_guidance ?? null),
    )
    const again = await call('POST', '/v1/actions/from-plan', admin, body)
    t.equal(again.statusCode, 200)
    t.same(again.json().created, [])
    t.equal(again.json().skipped.length, plan.steps.length)

    const overdue = await call('GET', `/v1/actions?unit_id=${tree.a2.id}&overdue=true&as_of=2021-03-01`, viewer)
    t.equal(overdue.statusCode, 200)
    t.equal(overdue.json().items.length, plan.steps.length, 'every plan action is overdue on 1 March')
    t.ok(overdue.json().items.every((a: { overdue: boolean }) => a.overdue))
    const notYet = await call('GET', `/v1/actions?unit_id=${tree.a2.id}&overdue=true&as_of=2021-02-28`, viewer)
    t.same(notYet.json().items, [], 'due on 28 February is not yet overdue that day')
    const paged = await call('GET', `/v1/actions?unit_id=${tree.a2.id}&limit=1`, viewer)
    t.equal(paged.json().items.length, 1)
    t.type(paged.json().next_cursor, 'string')
    const next = await call(
      'GET',
      `/v1/actions?unit_id=${tree.a2.id}&limit=1&cursor=${paged.json().next_cursor}`,
      viewer,
    )
    t.not(next.json().items[0].id, paged.json().items[0].id)

    const summary = await call(
      'GET',
      `/v1/actions/summary?unit_id=${tree.a2.id}&period_id=${period.id}&as_of=2021-03-01`,
      viewer,
    )
    t.equal(summary.statusCode, 200, summary.body)
    t.equal(summary.json().total, plan.steps.length)
    t.equal(summary.json().overdue, plan.steps.length)
    t.equal(summary.json().areas.length, 6)
    t.equal(
      (await call('GET', `/v1/actions/summary?unit_id=${tree.a2.id}&period_id=${period.id}`, otherOperator)).statusCode,
      404,
    )

    // the dashboards count overdue actions today: every plan action (due 2021-02-28) and the first test's one (2021-04-30) are past
    const dash = await call('GET', `/v1/dashboards/periods/${period.id}/summary`, admin)
    t.equal(dash.statusCode, 200, dash.body)
    t.match(dash.json().actions, {
      total: plan.steps.length + 1,
      overdue: plan.steps.length + 1,
      units_with_overdue: 2,
    })
    const opds = await call('GET', `/v1/dashboards/periods/${period.id}/opds`, admin)
    const items = opds.json().items as { unit: { id: string }; actions: { total: number; overdue: number } }[]
    t.same(items.find((i) => i.unit.id === tree.opdA.id)?.actions, {
      total: plan.steps.length + 1,
      overdue: plan.steps.length + 1,
    })
    t.same(items.find((i) => i.unit.id === tree.opdB.id)?.actions, { total: 0, overdue: 0 })
    const scoped = await call('GET', `/v1/dashboards/periods/${period.id}/summary`, otherOperator)
    t.match(scoped.json().actions, { total: 0, overdue: 0 })
  })
})
