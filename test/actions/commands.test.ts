import { readFileSync } from 'node:fs'
import { count, eq } from 'drizzle-orm'
import t from 'tap'
import { systemContext } from '../../src/lib/command.js'
import { ProblemError } from '../../src/lib/problem.js'
import {
  addMonitoringNote,
  createAction,
  createActionsFromPlan,
  recordRealisation,
  updateAction,
} from '../../src/modules/actions/commands.js'
import { jakartaDate } from '../../src/modules/actions/rules.js'
import { listActions, listOverdueActions } from '../../src/modules/actions/service.js'
import { actionPlanSummary } from '../../src/modules/actions/summary.js'
import { openAssessment, writeStageAnswers } from '../../src/modules/assessments/commands.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { events } from '../../src/modules/events/tables.js'
import { insertEvidence } from '../../src/modules/evidence/service.js'
import { planImprovement, type AnswerValue } from '../../src/modules/instruments/domain/index.js'
import { loadSeedInstrument } from '../../src/modules/instruments/seed/index.js'
import { seedInstruments } from '../../src/modules/instruments/service.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { commandContext } from '../helpers/commands.js'
import { createTestDatabase } from '../helpers/database.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

const unit71 = (
  JSON.parse(readFileSync(new URL('../../docs/examples/unit-71.json', import.meta.url), 'utf8')) as {
    answers: Record<string, AnswerValue>
  }
).answers

/** The rencana aksi's commands without HTTP: each write one audit record and one event, no-ops none. */
t.test('action plan commands', async (t) => {
  const tdb = await createTestDatabase()
  t.teardown(() => tdb.destroy())
  const { db } = tdb.database
  const ctx = { app: { db } } as never
  await seedInstruments(db)
  const [lke] = await db
    .select({ id: instrumentVersions.id })
    .from(instrumentVersions)
    .where(eq(instrumentVersions.code, 'LKE-ZI-2026'))
  const tree = await insertSmallTree(ctx)
  const period = await insertPeriod(ctx, { instrumentVersionId: lke!.id })
  const system = systemContext(db, 'command test')
  const operator = await commandContext(db, 'unit_operator', { scopePaths: [tree.a1.path], requestId: 'req-op' })
  const otherOperator = await commandContext(db, 'unit_operator', { scopePaths: [tree.b1.path] })
  const evaluator = await commandContext(db, 'evaluator', { scopePaths: [tree.opdA.path] })
  const viewer = await commandContext(db, 'viewer')
  const rows = async (table: typeof auditEvents | typeof events) =>
    Number((await db.select({ n: count() }).from(table))[0]!.n)
  const trace = async () => ({ audit: await rows(auditEvents), events: await rows(events) })
  const eventsOf = async (id: string) =>
    (await db.select().from(events).where(eq(events.subjectId, id))).map((e) => e.type)

  const base = {
    unit_id: tree.a1.id,
    period_id: period.id,
    title: 'Menyusun SK Tim Pembangunan ZI',
    pic_name: 'Kepala Subbagian Umum',
    target_date: '2026-03-31',
  }

  t.test('create: the area from the question, checked against the LKE; one audit record and one event', async (t) => {
    const before = await trace()
    const action = await createAction(operator, { ...base, question_code: 'Q1', expected_output: 'SK Tim' })
    t.equal(action.area, 'manajemen_perubahan', 'Q1 is in Manajemen Perubahan')
    t.equal(action.status, 'planned')
    t.equal(action.version, 1)
    t.same(await trace(), { audit: before.audit + 1, events: before.events + 1 })
    t.same(await eventsOf(action.id), ['action.created'])
    const [ev] = await db.select().from(events).where(eq(events.subjectId, action.id))
    t.equal(ev!.requestId, 'req-op', 'the event carries the command’s request id')
    t.match(ev!.data, { action_id: action.id, area: 'manajemen_perubahan', question_code: 'Q1', source: 'manual' })

    await t.rejects(createAction(operator, { ...base, question_code: 'Q9999' }), {
      constructor: ProblemError,
      status: 422,
      code: 'question_not_found',
      extra: { errors: [{ pointer: '/body/question_code', rule: 'question_not_found' }] },
    })
    await t.rejects(createAction(operator, { ...base, question_code: 'Q1', area: 'pelayanan_publik' }), {
      status: 422,
      code: 'area_mismatch',
      extra: { errors: [{ pointer: '/body/area', rule: 'area_mismatch' }] },
    })
    await t.rejects(createAction(operator, base), {
      status: 422,
      code: 'area_required',
      extra: { errors: [{ pointer: '/body/area' }] },
    })
    const byHand = await createAction(operator, { ...base, area: 'penataan_sdm', title: 'Pemetaan kompetensi' })
    t.equal(byHand.question_code, null)
    t.equal(byHand.area, 'penataan_sdm')
  })

  t.test('scope and roles', async (t) => {
    await t.rejects(createAction(otherOperator, { ...base, area: 'penataan_sdm' }), {
      status: 422,
      code: 'unit_not_found',
    })
    await t.rejects(createAction(viewer, { ...base, area: 'penataan_sdm' }), {
      status: 403,
      code: 'action_write_forbidden',
    })
    await t.rejects(createAction(evaluator, { ...base, area: 'penataan_sdm' }), {
      status: 403,
      code: 'action_write_forbidden',
    })
    const action = await createAction(operator, { ...base, area: 'penataan_sdm' })
    await t.rejects(updateAction(otherOperator, { id: action.id }, { title: 'x' }), {
      status: 404,
      code: 'action_not_found',
    })
    const page = await listActions(db, otherOperator.principal, {}, 50, '2026-01-01')
    t.same(page.items, [], 'another unit’s operator lists nothing')
  })

  t.test('edit: If-Match, cancel needs a reason, a patch that changes nothing leaves no trace', async (t) => {
    const action = await createAction(operator, { ...base, area: 'penguatan_akuntabilitas' })
    await t.rejects(updateAction(operator, { id: action.id, ifMatch: '"7"' }, { title: 'x' }), {
      status: 412,
      code: 'precondition_failed',
    })
    const edited = await updateAction(operator, { id: action.id, ifMatch: '"1"' }, { pic_name: 'Sekretaris' })
    t.equal(edited.version, 2)
    t.equal(edited.pic.name, 'Sekretaris')
    const before = await trace()
    const same = await updateAction(operator, { id: action.id }, { pic_name: 'Sekretaris', title: base.title })
    t.equal(same.version, 2, 'no version bump')
    t.same(await trace(), before, 'no audit record, no event')

    await t.rejects(updateAction(operator, { id: action.id }, { status: 'cancelled' }), {
      status: 422,
      code: 'cancel_reason_required',
      extra: { errors: [{ pointer: '/body/cancel_reason', rule: 'cancel_reason_required' }] },
    })
    await t.rejects(updateAction(operator, { id: action.id }, { cancel_reason: 'x' }), {
      status: 422,
      code: 'cancel_reason_without_cancel',
    })
    const cancelled = await updateAction(
      operator,
      { id: action.id },
      { status: 'cancelled', cancel_reason: 'Digabung' },
    )
    t.equal(cancelled.cancel_reason, 'Digabung')
    const reopened = await updateAction(operator, { id: action.id }, { status: 'planned' })
    t.equal(reopened.cancel_reason, null, 'leaving cancelled drops the reason')
    t.same(await eventsOf(action.id), ['action.created', 'action.updated', 'action.updated', 'action.updated'])
    const [last] = await db
      .select()
      .from(events)
      .where(eq(events.subjectId, action.id))
      .orderBy(events.id)
      .offset(2)
      .limit(1)
    t.match(last!.data, { changed: ['status', 'cancel_reason'], from_status: 'planned', cancel_reason: 'Digabung' })
  })

  t.test('realisation: per month, evidence of the unit, replaying it changes nothing', async (t) => {
    const action = await createAction(operator, { ...base, area: 'pelayanan_publik' })
    const item = await db.transaction((tx) =>
      insertEvidence(tx, operator.principal, {
        unitId: tree.a1.id,
        periodId: period.id,
        kind: 'link',
        title: 'Notulen',
        url: 'https://example.org/notulen.pdf',
      }),
    )
    const other = await db.transaction((tx) =>
      insertEvidence(tx, operator.principal, {
        unitId: tree.b1.id,
        periodId: period.id,
        kind: 'link',
        title: 'Lain',
        url: 'https://example.org/lain.pdf',
      }),
    )
    const body = { progress_percent: 40, narrative: 'Rapat koordinasi', evidence: [{ evidence_id: item.id }] }
    const first = await recordRealisation(operator, { id: action.id, month: '2026-02' }, body)
    t.equal(first.status, 'in_progress', 'a planned action starts with its first realisation')
    t.equal(first.progress_percent, 40)
    t.equal(first.latest_month, '2026-02')
    t.match(first.realisations, [{ month: '2026-02', progress_percent: 40, evidence: [{ evidence_id: item.id }] }])
    const before = await trace()
    const again = await recordRealisation(operator, { id: action.id, month: '2026-02' }, body)
    t.equal(again.version, first.version)
    t.same(await trace(), before, 'the same realisation again leaves no trace')
    const march = await recordRealisation(operator, { id: action.id, month: '2026-03' }, { progress_percent: 70 })
    t.equal(march.progress_percent, 70, 'the latest month wins')
    await recordRealisation(operator, { id: action.id, month: '2026-01' }, { progress_percent: 10 })
    await t.rejects(
      recordRealisation(
        operator,
        { id: action.id, month: '2026-04' },
        { progress_percent: 80, evidence: [{ evidence_id: other.id }] },
      ),
      { status: 422, code: 'evidence_not_found', extra: { errors: [{ pointer: '/body/evidence/0/evidence_id' }] } },
    )
    await t.rejects(
      recordRealisation(
        operator,
        { id: action.id, month: '2026-04' },
        { progress_percent: 80, evidence: [{ title: 'x' }] },
      ),
      { status: 422, code: 'evidence_source_missing' },
    )
    const detail = await recordRealisation(operator, { id: action.id, month: '2026-01' }, { progress_percent: 10 })
    t.equal(detail.progress_percent, 70)
    t.same(
      detail.realisations.map((r) => r.month),
      ['2026-01', '2026-02', '2026-03'],
    )
    t.same(
      (await eventsOf(action.id)).filter((e) => e === 'action.realisation_recorded').length,
      3,
      'one event per change',
    )
  })

  t.test('monitoring notes: the TPI (evaluators) and admins only', async (t) => {
    const action = await createAction(operator, { ...base, area: 'penguatan_pengawasan' })
    await t.rejects(addMonitoringNote(operator, { id: action.id }, { note: 'x' }), {
      status: 403,
      code: 'monitoring_note_forbidden',
    })
    await t.rejects(addMonitoringNote(viewer, { id: action.id }, { note: 'x' }), {
      status: 403,
      code: 'monitoring_note_forbidden',
    })
    const outside = await commandContext(db, 'evaluator', { scopePaths: [tree.opdB.path] })
    await t.rejects(addMonitoringNote(outside, { id: action.id }, { note: 'x' }), {
      status: 404,
      code: 'action_not_found',
    })
    const noted = await addMonitoringNote(evaluator, { id: action.id }, { note: 'Lengkapi notulen rapat' })
    t.match(noted.monitoring_notes, [
      { note: 'Lengkapi notulen rapat', author: { id: evaluator.principal.principalId, role: 'evaluator' } },
    ])
    t.equal(noted.version, 2)
    t.same(await eventsOf(action.id), ['action.created', 'action.monitoring_noted'])
    const [audit] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'action.monitoring_noted'))
    t.equal(audit!.entityId, action.id)
  })

  t.test('from an improvement plan: each step an action on its question, with its guidance; idempotent', async (t) => {
    const def = loadSeedInstrument()
    const assessment = await openAssessment(system, { period_id: period.id, unit_id: tree.a2.id })
    await writeStageAnswers(system, {
      assessmentId: assessment.id,
      stage: 'self',
      items: Object.entries(unit71).map(([question_code, value]) => ({ question_code, value })),
    })
    const expected = planImprovement(def, unit71, 'WBK')
    t.ok(expected.steps.length > 0)
    const operatorA2 = await commandContext(db, 'unit_operator', { scopePaths: [tree.a2.path] })
    const input = {
      assessment_id: assessment.id,
      target: 'WBK' as const,
      target_date: '2026-06-30',
      pic_name: 'Tim Kerja ZI',
    }
    await t.rejects(createActionsFromPlan(operator, input), { status: 404, code: 'assessment_not_found' })
    const out = await createActionsFromPlan(operatorA2, input)
    t.equal(out.reachable, true)
    t.equal(out.steps, expected.steps.length)
    t.same(
      out.created.map((a) => a.question_code),
      expected.steps.map((s) => s.code),
      'one action per step, on its question, in the plan’s order',
    )
    for (const [i, step] of expected.steps.entries()) {
      const a = out.created[i]!
      t.equal(a.title, step.name)
      t.equal(a.expected_output, step.evidence_guidance ?? null, `${step.code}: the evidence guidance`)
      t.equal(a.description, step.kriteria_nilai ?? null)
      t.same(a.plan, { target: 'WBK', proposed_answer: String(step.proposed) })
      t.equal(a.source, 'plan')
      t.equal(a.unit_id, tree.a2.id)
      t.ok(a.area)
    }
    t.ok(
      out.created.some((a) => a.expected_output),
      'the steps carry evidence guidance',
    )
    const before = await trace()
    const again = await createActionsFromPlan(operatorA2, input)
    t.same(again.created, [], 'running it again creates nothing')
    t.same(
      again.skipped.map((s) => [s.question_code, s.reason]),
      expected.steps.map((s) => [s.code, 'already_planned']),
    )
    t.same(await trace(), before, 'and leaves no trace')
    // a cancelled action no longer holds its question
    const first = out.created[0]!
    await updateAction(operatorA2, { id: first.id }, { status: 'cancelled', cancel_reason: 'Diganti' })
    const third = await createActionsFromPlan(operatorA2, input)
    t.same(
      third.created.map((a) => a.question_code),
      [first.question_code],
    )
  })

  t.test('overdue: target date passed (Asia/Jakarta) and neither done nor cancelled', async (t) => {
    const unit = await commandContext(db, 'unit_operator', { scopePaths: [tree.b2.path] })
    const mk = (title: string, area: 'penataan_tatalaksana' | 'penataan_sdm', target_date: string) =>
      createAction(unit, { ...base, unit_id: tree.b2.id, title, area, target_date })
    const late = await mk('Late', 'penataan_tatalaksana', '2026-04-30')
    const due = await mk('Due today', 'penataan_tatalaksana', '2026-05-01')
    const done = await mk('Done', 'penataan_sdm', '2026-04-01')
    await updateAction(unit, { id: done.id }, { status: 'done' })
    const cancelled = await mk('Cancelled', 'penataan_sdm', '2026-04-01')
    await updateAction(unit, { id: cancelled.id }, { status: 'cancelled', cancel_reason: 'Tidak relevan' })
    await recordRealisation(unit, { id: late.id, month: '2026-04' }, { progress_percent: 50 })
    await recordRealisation(unit, { id: done.id, month: '2026-04' }, { progress_percent: 100 })

    // 2026-04-30T17:30Z is already 1 May in Jakarta (UTC+7)
    const asOf = new Date('2026-04-30T17:30:00Z')
    t.equal(jakartaDate(asOf), '2026-05-01')
    const overdue = await listOverdueActions(db, { asOf, unitIds: [tree.b2.id] })
    t.same(
      overdue.map((o) => o.title),
      ['Late'],
    )
    t.match(overdue[0], { unitCode: String, periodId: period.id, picName: base.pic_name, targetDate: '2026-04-30' })
    t.same(
      (await listOverdueActions(db, { asOf: new Date('2026-04-30T16:59:00Z'), unitIds: [tree.b2.id] })).length,
      0,
      'still 30 April in Jakarta: nothing overdue',
    )
    t.same(await listOverdueActions(db, { asOf, unitIds: [] }), [])
    t.ok((await listOverdueActions(db, { asOf: new Date('2027-01-01T00:00:00Z') })).length >= 2, 'every unit')

    const listed = await listActions(db, unit.principal, { overdue: true, period_id: period.id }, 50, '2026-05-01')
    t.same(
      listed.items.map((a) => [a.title, a.overdue]),
      [['Late', true]],
    )
    const notOverdue = await listActions(db, unit.principal, { overdue: false }, 50, '2026-05-01')
    t.same(notOverdue.items.map((a) => a.title).sort(), ['Cancelled', 'Done', 'Due today'])

    const summary = await actionPlanSummary(db, { unitId: tree.b2.id, periodId: period.id, asOf })
    t.same(summary.byStatus, { planned: 1, in_progress: 1, done: 1, cancelled: 1 })
    t.equal(summary.total, 4)
    t.equal(summary.overdue, 1)
    t.equal(summary.asOf, '2026-05-01')
    t.same(
      summary.areas.map((a) => a.area),
      [
        'manajemen_perubahan',
        'penataan_tatalaksana',
        'penataan_sdm',
        'penguatan_akuntabilitas',
        'penguatan_pengawasan',
        'pelayanan_publik',
      ],
    )
    t.same(summary.areas[1], {
      area: 'penataan_tatalaksana',
      total: 2,
      done: 0,
      overdue: 1,
      cancelled: 0,
      progressPercent: 25,
    })
    t.same(summary.areas[2], {
      area: 'penataan_sdm',
      total: 2,
      done: 1,
      overdue: 0,
      cancelled: 1,
      progressPercent: 100,
    })
    t.same(summary.areas[0], {
      area: 'manajemen_perubahan',
      total: 0,
      done: 0,
      overdue: 0,
      cancelled: 0,
      progressPercent: null,
    })
    t.ok(due)
  })
})
