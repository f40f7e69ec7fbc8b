import { count, eq } from 'drizzle-orm'
import t from 'tap'
import { systemContext } from '../../src/lib/command.js'
import {
  moveStage,
  openAssessment,
  openStage,
  putAnswer,
  writeStageAnswers,
} from '../../src/modules/assessments/commands.js'
import { answers, stageSnapshots } from '../../src/modules/assessments/tables.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { events as domainEvents } from '../../src/modules/events/tables.js'
import { AREA_CODES } from '../../src/modules/instruments/domain/areas.js'
import { seedInstruments } from '../../src/modules/instruments/service.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { putStageReview } from '../../src/modules/review/commands.js'
import { stageReview } from '../../src/modules/review/summary.js'
import { commandContext } from '../helpers/commands.js'
import { createTestDatabase } from '../helpers/database.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

/**
 * The TPI's review through the commands, without HTTP: the recommendation beside each answer's
 * note (through the answer-write path) and the per-area conclusions and recommendations.
 */
t.test('the TPI review commands', async (t) => {
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
  const operator = await commandContext(db, 'unit_operator', { scopePaths: [tree.a1.path] })
  const evaluator = await commandContext(db, 'evaluator')
  const admin = await commandContext(db, 'admin')
  const trace = async () => ({
    audit: Number((await db.select({ n: count() }).from(auditEvents))[0]!.n),
    events: Number((await db.select({ n: count() }).from(domainEvents))[0]!.n),
  })

  const { id } = await openAssessment(systemContext(db, 'review test'), { period_id: period.id, unit_id: tree.a1.id })

  t.test('a recommendation on the self stage is refused, naming the field; null is none', async (t) => {
    const refused = await writeStageAnswers(operator, {
      assessmentId: id,
      stage: 'self',
      items: [
        { question_code: 'Q1', value: 'Ya', note: 'SK Tim' },
        { question_code: 'Q2', value: 'B', recommendation: 'Perbaiki SOP' },
      ],
    }).catch((e: unknown) => e)
    t.match(refused, { status: 422, code: 'answers_invalid' })
    t.match((refused as { extra: { errors: unknown[] } }).extra.errors, [
      { pointer: '/body/answers/1/recommendation', rule: 'recommendation_not_for_stage' },
    ])
    t.equal((await db.select().from(answers)).length, 0, 'nothing was written')
    const written = await writeStageAnswers(operator, {
      assessmentId: id,
      stage: 'self',
      items: [
        { question_code: 'Q1', value: 'Ya', note: 'SK Tim' },
        { question_code: 'Q2', value: 'B', recommendation: null },
        { question_code: 'Q3', value: 'Ya', recommendation: '' },
      ],
    })
    t.equal(written.written.length, 3)
    t.same(
      written.diff.map((d) => Object.keys(d.to)),
      [
        ['value', 'note', 'evidence_ids'],
        ['value', 'note', 'evidence_ids'],
        ['value', 'note', 'evidence_ids'],
      ],
      'a self stage’s diff names no recommendation',
    )
    await t.rejects(
      putAnswer(operator, { assessmentId: id, stage: 'self', code: 'Q4', value: 'A', recommendation: 'x' }),
      { status: 422, code: 'answers_invalid' },
    )
    await moveStage(operator, { assessmentId: id, stage: 'self', to: 'submitted' })
  })

  t.test('on the tpi stage: written beside the note, no-op rule, kept when left out', async (t) => {
    const tpi = await openStage(evaluator, { assessmentId: id, kind: 'tpi', copy_from: 'self' })
    const first = await writeStageAnswers(evaluator, {
      assessmentId: id,
      stage: 'tpi',
      items: [
        { question_code: 'Q1', value: 'Ya', note: 'SK ada, belum ditandatangani', recommendation: 'Tetapkan SK Tim' },
      ],
    })
    t.same(first.diff, [
      {
        question_code: 'Q1',
        from: { value: 'Ya', note: 'SK Tim', recommendation: null, evidence_ids: [] },
        to: { value: 'Ya', note: 'SK ada, belum ditandatangani', recommendation: 'Tetapkan SK Tim', evidence_ids: [] },
      },
    ])
    t.equal(first.written[0]!.row.recommendation, 'Tetapkan SK Tim')
    const before = { ...(await trace()), version: first.stage.version }
    const again = await writeStageAnswers(evaluator, {
      assessmentId: id,
      stage: 'tpi',
      items: [
        { question_code: 'Q1', value: 'Ya', note: 'SK ada, belum ditandatangani', recommendation: 'Tetapkan SK Tim' },
      ],
    })
    t.same(again.unchanged, ['Q1'])
    t.equal(again.stage.version, before.version, 'no stage version moves')
    t.same(await trace(), { audit: before.audit, events: before.events }, 'no audit record, no event')
    const kept = await putAnswer(evaluator, {
      assessmentId: id,
      stage: 'tpi',
      code: 'Q1',
      value: 'Tidak',
      ifMatch: `"${first.written[0]!.row.version}"`,
    })
    t.equal(kept.answer!.row.recommendation, 'Tetapkan SK Tim', 'a write without recommendation keeps it')
    const cleared = await putAnswer(evaluator, {
      assessmentId: id,
      stage: 'tpi',
      code: 'Q1',
      value: 'Tidak',
      recommendation: '',
      ifMatch: `"${kept.answer!.row.version}"`,
    })
    t.equal(cleared.changed, true)
    t.equal(cleared.answer!.row.recommendation, null, '"" clears it')
    await putAnswer(evaluator, {
      assessmentId: id,
      stage: 'tpi',
      code: 'Q1',
      value: 'Tidak',
      recommendation: 'Tetapkan SK Tim dan unggah',
      ifMatch: `"${cleared.answer!.row.version}"`,
    })
    const dry = await writeStageAnswers(evaluator, {
      assessmentId: id,
      stage: 'tpi',
      items: [{ question_code: 'Q2', value: 'B', recommendation: 'Sosialisasikan' }],
      dryRun: true,
    })
    t.same(dry.diff[0]!.to, { value: 'B', note: null, recommendation: 'Sosialisasikan', evidence_ids: [] })
    const [q2] = await db
      .select()
      .from(answers)
      .where(eq(answers.stageId, tpi.id))
      .then((r) => r.filter((a) => a.questionCode === 'Q2'))
    t.equal(q2!.recommendation, null, 'the dry run wrote nothing')
  })

  t.test('putStageReview: versioned, audited, announced; the same again leaves no trace', async (t) => {
    const start = await trace()
    const first = await putStageReview(evaluator, {
      assessmentId: id,
      stage: 'tpi',
      areas: [
        {
          area: 'manajemen_perubahan',
          conclusion: ' Tim kerja sudah dibentuk; monev belum berkala. ',
          recommendations: ['Lakukan monev triwulanan', '  ', 'Tetapkan agen perubahan'],
        },
      ],
    })
    t.equal(first.view.version, 1)
    t.same(first.outcome.changes, [
      {
        area: 'manajemen_perubahan',
        from: null,
        to: {
          conclusion: 'Tim kerja sudah dibentuk; monev belum berkala.',
          recommendations: ['Lakukan monev triwulanan', 'Tetapkan agen perubahan'],
        },
      },
    ])
    t.same(
      first.view.areas.map((a) => a.area),
      [...AREA_CODES],
      'all six areas, in the regulation’s order',
    )
    t.same(await trace(), { audit: start.audit + 1, events: start.events + 1 })
    const [ev] = await db.select().from(domainEvents).where(eq(domainEvents.type, 'stage.review_changed'))
    t.match(ev!.data, { stage: 'tpi', review_version: 1, areas: ['manajemen_perubahan'] })
    t.equal(ev!.restricted, true, 'a tpi draft’s review is not for the unit’s eyes yet')
    const [rec] = await db.select().from(auditEvents).where(eq(auditEvents.action, 'stage.review_updated'))
    t.ok(rec, 'audited as stage.review_updated')

    const same = await putStageReview(evaluator, {
      assessmentId: id,
      stage: 'tpi',
      areas: [
        {
          area: 'manajemen_perubahan',
          conclusion: 'Tim kerja sudah dibentuk; monev belum berkala.',
          recommendations: ['Lakukan monev triwulanan', 'Tetapkan agen perubahan'],
        },
        { area: 'penataan_sdm', conclusion: '', recommendations: [] },
      ],
      ifMatch: '"1"',
    })
    t.same(same.outcome.changes, [], 'an empty area and the same texts change nothing')
    t.equal(same.view.version, 1)
    t.same(await trace(), { audit: start.audit + 1, events: start.events + 1 }, 'no trace')

    await t.rejects(
      putStageReview(evaluator, {
        assessmentId: id,
        stage: 'tpi',
        areas: [{ area: 'penataan_sdm', conclusion: 'x' }],
        ifMatch: '"0"',
      }),
      { status: 412, code: 'precondition_failed' },
      'a stale If-Match',
    )
    const dry = await putStageReview(admin, {
      assessmentId: id,
      stage: 'tpi',
      areas: [{ area: 'penataan_sdm', conclusion: 'Pola mutasi ada.' }],
      dryRun: true,
    })
    t.equal(dry.outcome.changes.length, 1)
    t.equal(dry.view.version, 1, 'the dry run wrote nothing')

    const second = await putStageReview(admin, {
      assessmentId: id,
      stage: 'tpi',
      areas: [
        { area: 'pelayanan_publik', recommendations: ['Susun standar pelayanan'] },
        { area: 'manajemen_perubahan', recommendations: ['Lakukan monev triwulanan'] },
      ],
      ifMatch: '"1"',
    })
    t.equal(second.view.version, 2)
    t.same(
      second.outcome.changes.map((c) => c.area),
      ['manajemen_perubahan', 'pelayanan_publik'],
    )
    const mp = second.view.areas.find((a) => a.area === 'manajemen_perubahan')!
    t.equal(mp.conclusion, 'Tim kerja sudah dibentuk; monev belum berkala.', 'a field left out is kept')
    t.equal(mp.version, 2)
    t.equal(mp.updated_by, admin.principal.name)
  })

  t.test('refusals: not a tpi stage, not an evaluator, a repeated area', async (t) => {
    await t.rejects(
      putStageReview(evaluator, {
        assessmentId: id,
        stage: 'self',
        areas: [{ area: 'penataan_sdm', conclusion: 'x' }],
      }),
      { status: 422, code: 'review_not_for_stage' },
    )
    await t.rejects(
      putStageReview(operator, { assessmentId: id, stage: 'tpi', areas: [{ area: 'penataan_sdm', conclusion: 'x' }] }),
      { status: 403, code: 'forbidden_stage_role' },
    )
    const repeated = await putStageReview(evaluator, {
      assessmentId: id,
      stage: 'tpi',
      areas: [
        { area: 'penataan_sdm', conclusion: 'x' },
        { area: 'penataan_sdm', conclusion: 'y' },
      ],
    }).catch((e: unknown) => e)
    t.match(repeated, { status: 422, code: 'review_invalid' })
    t.match((repeated as { extra: { errors: unknown[] } }).extra.errors, [
      { pointer: '/body/areas/1/area', rule: 'duplicate_area' },
    ])
  })

  t.test('stageReview: the summary the LHE reads; a submitted stage is locked', async (t) => {
    const [tpiStage] = await db
      .select({ stageId: answers.stageId })
      .from(answers)
      .where(eq(answers.recommendation, 'Tetapkan SK Tim dan unggah'))
    const summary = await stageReview(db, tpiStage!.stageId)
    t.equal(summary.areas.length, 6)
    t.match(summary.areas[0], {
      area: 'manajemen_perubahan',
      conclusion: 'Tim kerja sudah dibentuk; monev belum berkala.',
      recommendations: ['Lakukan monev triwulanan'],
      updatedBy: admin.principal.name,
    })
    t.same(summary.areas[1], {
      area: 'penataan_tatalaksana',
      conclusion: null,
      recommendations: [],
      updatedAt: null,
      updatedBy: null,
    })
    t.same(summary.questions, [
      {
        questionCode: 'Q1',
        area: 'manajemen_perubahan',
        note: 'SK ada, belum ditandatangani',
        recommendation: 'Tetapkan SK Tim dan unggah',
      },
    ])

    await moveStage(evaluator, { assessmentId: id, stage: 'tpi', to: 'submitted' })
    const [snapshot] = await db.select().from(stageSnapshots).where(eq(stageSnapshots.stageId, tpiStage!.stageId))
    t.match(
      snapshot!.answers.find((a) => a.question_code === 'Q1'),
      { recommendation: 'Tetapkan SK Tim dan unggah' },
      'the snapshot keeps the recommendation',
    )
    await t.rejects(
      putStageReview(evaluator, { assessmentId: id, stage: 'tpi', areas: [{ area: 'penataan_sdm', conclusion: 'x' }] }),
      { status: 409, code: 'stage_locked' },
    )
  })
})
