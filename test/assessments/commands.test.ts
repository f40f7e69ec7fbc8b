import { count, eq } from 'drizzle-orm'
import t from 'tap'
import { systemContext, type CommandContext } from '../../src/lib/command.js'
import type { Principal } from '../../src/lib/principal.js'
import {
  clearAnswer,
  commentOnQuestion,
  moveStage,
  openAssessment,
  openStage,
  putAnswer,
  writeStageAnswers,
} from '../../src/modules/assessments/commands.js'
import { answers, assessmentStages } from '../../src/modules/assessments/tables.js'
import { auditEvents } from '../../src/modules/audit/tables.js'
import { principals } from '../../src/modules/auth/tables.js'
import { events as domainEvents } from '../../src/modules/events/tables.js'
import { seedInstruments } from '../../src/modules/instruments/service.js'
import { instrumentVersions } from '../../src/modules/instruments/tables.js'
import { createTestDatabase } from '../helpers/database.js'
import { insertPeriod } from '../helpers/periods.js'
import { insertSmallTree } from '../helpers/units.js'

/**
 * The assessment commands called directly, without HTTP: the same writes the routes, the workbook
 * import and the CLI (through the routes) make, each owning its transaction, audit and event.
 */
t.test('assessment commands without HTTP', async (t) => {
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
  /** A context with a test principal (a row of its own, as the audit and answers name it). */
  const contextOf = async (role: Principal['role'], scopePaths: string[]): Promise<CommandContext> => {
    const [row] = await db
      .insert(principals)
      .values({ name: `test ${role}`, kind: 'user' })
      .returning()
    const principal: Principal = {
      tokenId: 'test',
      principalId: row!.id,
      name: row!.name,
      role,
      scopeAll: scopePaths.length === 0,
      scopePaths,
    }
    return {
      db,
      principal,
      actor: { principalId: row!.id, name: row!.name, role, requestId: null, ip: null },
      requestId: null,
    }
  }
  const operator = await contextOf('unit_operator', [tree.a1.path])
  const otherOperator = await contextOf('unit_operator', [tree.b1.path])
  const admin = await contextOf('admin', [])
  const rows = async (table: typeof auditEvents | typeof domainEvents) =>
    Number((await db.select({ n: count() }).from(table))[0]!.n)

  const start = { audit: await rows(auditEvents), events: await rows(domainEvents) }
  const assessment = await openAssessment(system, { period_id: period.id, unit_id: tree.a1.id })
  t.same(
    assessment.stages.map((s) => s.kind),
    ['self'],
    'opened with its self stage',
  )
  const id = assessment.id
  t.equal(await rows(auditEvents), start.audit + 1, 'audited')
  t.equal(await rows(domainEvents), start.events + 1, 'and announced')

  t.test('writeStageAnswers: writes, then the same again leaves no trace', async (t) => {
    const items = [
      { question_code: 'Q1', value: 'Ya', note: 'SK' },
      { question_code: 'Q2', value: 'B', note: '' },
    ]
    const first = await writeStageAnswers(operator, { assessmentId: id, stage: 'self', items })
    t.equal(first.written.length, 2)
    t.equal(first.written.find((w) => w.row.questionCode === 'Q2')!.row.note, null, '"" is stored as null')
    const trace = { audit: await rows(auditEvents), events: await rows(domainEvents), version: first.stage.version }
    const again = await writeStageAnswers(operator, { assessmentId: id, stage: 'self', items })
    t.same(again.written, [])
    t.same(again.unchanged, ['Q1', 'Q2'])
    t.equal(again.stage.version, trace.version)
    t.equal(await rows(auditEvents), trace.audit)
    t.equal(await rows(domainEvents), trace.events)

    const dry = await writeStageAnswers(operator, {
      assessmentId: id,
      stage: 'self',
      items: [{ question_code: 'Q1', value: 'Tidak' }],
      dryRun: true,
    })
    t.equal(dry.dryRun, true)
    t.same(dry.diff, [
      {
        question_code: 'Q1',
        from: { value: 'Ya', note: 'SK', evidence_ids: [] },
        to: { value: 'Tidak', note: 'SK', evidence_ids: [] },
      },
    ])
    const [q1] = await db.select().from(answers).where(eq(answers.questionCode, 'Q1'))
    t.equal(q1!.value, 'Ya', 'the dry run wrote nothing')
    t.equal(await rows(auditEvents), trace.audit)
  })

  t.test('the stage-write preamble: scope, writer, stage ETag', async (t) => {
    await t.rejects(
      writeStageAnswers(otherOperator, {
        assessmentId: id,
        stage: 'self',
        items: [{ question_code: 'Q1', value: 'Ya' }],
      }),
      { status: 404, code: 'assessment_not_found' },
      'another unit’s operator does not see it',
    )
    await t.rejects(
      writeStageAnswers(operator, {
        assessmentId: id,
        stage: 'self',
        items: [{ question_code: 'Q1', value: 'Tidak' }],
        ifMatch: '"999"',
      }),
      { status: 412, code: 'precondition_failed' },
      'a stale stage ETag',
    )
  })

  t.test('putAnswer, clearAnswer, commentOnQuestion', async (t) => {
    const put = await putAnswer(operator, { assessmentId: id, stage: 'self', code: 'Q3', value: 'Ya' })
    t.equal(put.created, true)
    const same = await putAnswer(operator, {
      assessmentId: id,
      stage: 'self',
      code: 'Q3',
      value: 'Ya',
      ifMatch: `"${put.answer!.row.version}"`,
    })
    t.equal(same.changed, false)
    t.equal(same.answer!.row.version, put.answer!.row.version)
    await clearAnswer(operator, { assessmentId: id, stage: 'self', code: 'Q3', ifMatch: '"1"' })
    t.equal((await db.select().from(answers).where(eq(answers.questionCode, 'Q3'))).length, 0)
    const comment = await commentOnQuestion(operator, { assessmentId: id, code: 'Q1', body: 'dicek' })
    t.equal(comment.authorRole, 'unit_operator')
  })

  t.test('moveStage and openStage: submit, start TPI from a copy, approve', async (t) => {
    const submitted = await moveStage(operator, { assessmentId: id, stage: 'self', to: 'submitted' })
    t.equal(submitted.status, 'submitted')
    await t.rejects(
      writeStageAnswers(operator, {
        assessmentId: id,
        stage: 'self',
        items: [{ question_code: 'Q1', value: 'Tidak' }],
      }),
      { status: 409, code: 'stage_locked' },
      'a submitted stage is locked',
    )
    const tpi = await openStage(admin, { assessmentId: id, kind: 'tpi', copy_from: 'self' })
    t.equal(tpi.kind, 'tpi')
    const copied = await db.select().from(answers).where(eq(answers.stageId, tpi.id))
    t.equal(copied.length, 2, 'the self answers copied')
    await moveStage(admin, { assessmentId: id, stage: 'tpi', to: 'submitted' })
    const approved = await moveStage(admin, { assessmentId: id, stage: 'tpi', to: 'approved' })
    t.equal(approved.status, 'approved')
    const [row] = await db.select().from(assessmentStages).where(eq(assessmentStages.id, tpi.id))
    t.equal(row!.status, 'approved')
    const actions = (await db.select({ action: auditEvents.action }).from(auditEvents)).map((r) => r.action)
    t.ok(actions.includes('stage.approved') && actions.includes('stage.started'), 'each audited')
  })
})
