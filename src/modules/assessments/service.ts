import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm'
import { queryRows, type Queryable } from '../../db/connection.js'
import { PG_UNIQUE_VIOLATION, pgError } from '../../lib/db-errors.js'
import type { Principal } from '../../lib/principal.js'
import { msg, type Message } from '../../lib/i18n.js'
import { ProblemError, notFound } from '../../lib/problem.js'
import { isUnitInScope, unitScopeCondition } from '../auth/scope.js'
import { checkIfMatch, versionEtag } from '../../lib/etag.js'
import { decodeCursor, finishPage } from '../../lib/pagination.js'
import { evidence } from '../evidence/tables.js'
import {
  scoreInstrument,
  validateAnswers,
  type AnswerValue,
  type InstrumentDefinition,
} from '../instruments/domain/index.js'
import { scoreView, type ScoreResponse } from '../instruments/score-view.js'
import { loadDefinition } from '../instruments/cache.js'
import { assertWindowOpen } from '../periods/service.js'
import { syncStageMetrics, type StageAssessment } from './metrics.js'
import { periods } from '../periods/tables.js'
import { units } from '../units/tables.js'
import {
  STAGE_RULES,
  carriesRecommendations,
  canRead,
  canWrite,
  checkStageStart,
  checkTransition,
  inTreeOrder,
  isWritable,
  diffAnswers,
  answerWriteDiff,
  noteOf,
  type AnswerWriteDiff,
  windowFor,
  type StageKind,
  type StageStartRefusal,
  type StageStatus,
} from './rules.js'
import {
  answerEvidence,
  answers,
  assessmentStages,
  assessments,
  questionComments,
  stageSnapshots,
  stageTransitions,
} from './tables.js'
import { assertReturned } from '../../lib/returned.js'

export type AssessmentRow = typeof assessments.$inferSelect
export type StageRow = typeof assessmentStages.$inferSelect
export type AnswerRow = typeof answers.$inferSelect

export interface LoadedAssessment {
  assessment: AssessmentRow
  unit: { id: string; path: string; name: string; code: string }
}

/** The assessment if it exists and its unit is in the caller's scope; 404 otherwise (existence is private). */
export async function loadAssessment(db: Queryable, principal: Principal, id: string): Promise<LoadedAssessment> {
  const [row] = await db
    .select({ assessment: assessments, unit: { id: units.id, path: units.path, name: units.name, code: units.code } })
    .from(assessments)
    .innerJoin(units, eq(units.id, assessments.unitId))
    .where(eq(assessments.id, id))
  if (!row || !isUnitInScope(principal, row.unit.path)) throw notFound('assessment', id)
  return row
}

export async function loadStage(
  db: Queryable,
  assessmentId: string,
  kind: StageKind,
  opts: { forUpdate?: boolean } = {},
): Promise<StageRow> {
  const query = db
    .select()
    .from(assessmentStages)
    .where(and(eq(assessmentStages.assessmentId, assessmentId), eq(assessmentStages.kind, kind)))
  const [row] = opts.forUpdate ? await query.for('update') : await query
  if (!row) throw new ProblemError(404, 'stage_not_found', msg('assessments:stage_not_found', { kind }))
  return row
}

export function assertCanReadStage(principal: Principal, stage: StageRow): void {
  if (!canRead(stage.kind, stage.status, principal.role)) {
    throw new ProblemError(
      404,
      'stage_not_found',
      msg('assessments:stage_not_found_2', { kind: stage.kind, role: principal.role, status: stage.status }),
    )
  }
}

export function assertCanWriteStage(principal: Principal, stage: StageRow): void {
  if (!canWrite(stage.kind, principal.role)) {
    throw new ProblemError(
      403,
      'forbidden_stage_role',
      msg('assessments:forbidden_stage_role', {
        kind: stage.kind,
        writers: STAGE_RULES[stage.kind].writers.join(' / '),
        role: principal.role,
      }),
    )
  }
  if (!isWritable(stage.status)) {
    throw new ProblemError(
      409,
      'stage_locked',
      msg('assessments:stage_locked', { kind: stage.kind, status: stage.status }),
      {
        stage_status: stage.status,
      },
    )
  }
}

export async function createAssessment(
  tx: Queryable,
  principal: Principal,
  input: { period_id: string; unit_id: string },
) {
  const [unit] = await tx.select().from(units).where(eq(units.id, input.unit_id))
  if (!unit || !isUnitInScope(principal, unit.path)) {
    throw new ProblemError(422, 'unit_not_found', msg('assessments:unit_not_found', { unit_id: input.unit_id }), {
      errors: [{ pointer: '/body/unit_id', rule: 'unit_not_found', message: msg('assessments:field.unit_not_found') }],
    })
  }
  if (unit.archivedAt) {
    throw new ProblemError(422, 'unit_archived', msg('assessments:unit_archived', { code: unit.code }), {
      errors: [{ pointer: '/body/unit_id', rule: 'unit_archived', message: msg('assessments:field.unit_archived') }],
    })
  }
  if (unit.kind === 'instansi') {
    throw new ProblemError(422, 'unit_kind_not_assessable', msg('assessments:unit_kind_not_assessable'), {
      errors: [
        {
          pointer: '/body/unit_id',
          rule: 'unit_kind_not_assessable',
          message: msg('assessments:field.unit_kind_not_assessable'),
        },
      ],
    })
  }
  const [period] = await tx.select().from(periods).where(eq(periods.id, input.period_id))
  if (!period) {
    throw new ProblemError(
      422,
      'period_not_found',
      msg('assessments:period_not_found', { period_id: input.period_id }),
      {
        errors: [
          { pointer: '/body/period_id', rule: 'period_not_found', message: msg('assessments:field.period_not_found') },
        ],
      },
    )
  }
  const [existing] = await tx
    .select({ id: assessments.id })
    .from(assessments)
    .where(and(eq(assessments.periodId, period.id), eq(assessments.unitId, unit.id)))
  const exists = (id?: string) =>
    new ProblemError(
      409,
      'assessment_exists',
      msg('assessments:assessment_exists', { code: unit.code }),
      id ? { existing_id: id } : {},
    )
  if (existing) throw exists(existing.id)
  try {
    const [assessment] = await tx
      .insert(assessments)
      .values({ periodId: period.id, unitId: unit.id, instrumentVersionId: period.instrumentVersionId })
      .returning()
    assertReturned(assessment, 'insert')
    const [stage] = await tx.insert(assessmentStages).values({ assessmentId: assessment.id, kind: 'self' }).returning()
    assertReturned(stage, 'insert')
    await syncStageMetrics(tx, stage)
    return { assessment, stages: [stage], unit }
  } catch (error) {
    if (pgError(error)?.code === PG_UNIQUE_VIOLATION) throw exists()
    throw error
  }
}

export async function listStages(db: Queryable, assessmentId: string): Promise<StageRow[]> {
  return db
    .select()
    .from(assessmentStages)
    .where(eq(assessmentStages.assessmentId, assessmentId))
    .orderBy(asc(assessmentStages.createdAt))
}

export interface StoredAnswer {
  row: AnswerRow
  evidenceIds: string[]
}

/** A stage's answers (or those of the given codes) with their evidence links, in one query. */
export async function stageAnswers(db: Queryable, stageId: string, codes?: string[]): Promise<StoredAnswer[]> {
  const rows = await db
    .select({
      row: answers,
      // Qualified by hand: drizzle leaves the columns of a one-table select unqualified. Ordered
      // as uuids, the same order as sorting their text forms.
      evidenceIds: sql<string[]>`array(select ae.evidence_id::text from answer_evidence ae
        where ae.answer_id = "answers"."id" order by ae.evidence_id)`,
    })
    .from(answers)
    .where(and(eq(answers.stageId, stageId), codes ? inArray(answers.questionCode, codes) : undefined))
    .orderBy(asc(answers.questionCode))
  return rows.map((r) => ({ row: r.row, evidenceIds: r.evidenceIds ?? [] }))
}

/** A stage's answers as a person reads them: in the instrument tree's order. */
export async function stageAnswersInTreeOrder(
  db: Queryable,
  def: InstrumentDefinition,
  stageId: string,
): Promise<StoredAnswer[]> {
  return inTreeOrder(def, await stageAnswers(db, stageId), (a) => a.row.questionCode)
}

export const answerMap = (stored: { row: Pick<AnswerRow, 'questionCode' | 'value'> }[]): Record<string, AnswerValue> =>
  Object.fromEntries(stored.map((a) => [a.row.questionCode, a.row.value ?? null]))

export function answerView(a: StoredAnswer) {
  return {
    question_code: a.row.questionCode,
    value: a.row.value ?? null,
    note: a.row.note,
    // only a tpi stage's answers carry one; absent where there is none
    ...(a.row.recommendation !== null ? { recommendation: a.row.recommendation } : {}),
    evidence_ids: a.evidenceIds,
    updated_at: a.row.updatedAt.toISOString(),
    updated_by: a.row.updatedBy,
    version: a.row.version,
  }
}

/** The audit's "before" of written answers: each as it was, or a null value where it is new. */
export const beforeViews = (written: StoredAnswer[], before: (StoredAnswer | undefined)[]) =>
  written.map((w, i) => {
    const was = before[i]
    return was ? answerView(was) : { question_code: w.row.questionCode, value: null }
  })

/** The reply of a write of many answers: what was written, what was left alone, the diff. */
export const writeReport = (result: {
  stage: StageRow
  written: StoredAnswer[]
  diff: AnswerWriteDiff[]
  unchanged: string[]
  dryRun: boolean
}) => ({
  stage: stageView(result.stage),
  answers: result.written.map(answerView),
  dry_run: result.dryRun,
  changed: result.diff.length,
  unchanged: result.unchanged,
  diff: result.diff,
})

export function stageView(stage: StageRow) {
  return {
    id: stage.id,
    kind: stage.kind,
    status: stage.status,
    copied_from_stage_id: stage.copiedFromStageId,
    total: stage.total ?? null,
    created_at: stage.createdAt.toISOString(),
    updated_at: stage.updatedAt.toISOString(),
    submitted_at: stage.submittedAt?.toISOString() ?? null,
    approved_at: stage.approvedAt?.toISOString() ?? null,
    version: stage.version,
  }
}

export function scoreOf(def: InstrumentDefinition, stored: StoredAnswer[], explain: boolean): ScoreResponse {
  return scoreView(def, scoreInstrument(def, answerMap(stored), { explain }), explain)
}

/**
 * Only what scoring reads: each answered question's value. One narrow query instead of
 * stageAnswers' two (rows with notes and timestamps, then evidence links by 127 ids).
 */
export async function stageAnswerValues(db: Queryable, stageId: string): Promise<Record<string, AnswerValue>> {
  const rows = await db
    .select({ code: answers.questionCode, value: answers.value })
    .from(answers)
    .where(eq(answers.stageId, stageId))
    .orderBy(asc(answers.questionCode))
  return Object.fromEntries(rows.map((r) => [r.code, (r.value ?? null) as AnswerValue]))
}

/** The stage's score from its stored answers (explain: every node and question). */
export async function stageScore(
  db: Queryable,
  def: InstrumentDefinition,
  stageId: string,
  explain: boolean,
): Promise<ScoreResponse> {
  return scoreView(def, scoreInstrument(def, await stageAnswerValues(db, stageId), { explain }), explain)
}

/** What the caller already holds, so touchStage does not read it again. */
interface Known {
  /** every answer value of the stage as it now stands (after the write) */
  values?: Record<string, AnswerValue>
  /** the stage's assessment: its period, unit and instrument version */
  assessment?: StageAssessment
}

/** Re-scores the stage after a write and bumps its version: dashboards read `total` without scoring. */
async function touchStage(
  tx: Queryable,
  stage: StageRow,
  def: InstrumentDefinition,
  extra: Partial<typeof assessmentStages.$inferInsert> = {},
  known: Known = {},
): Promise<StageRow> {
  const score = scoreInstrument(def, known.values ?? (await stageAnswerValues(tx, stage.id)), { explain: false })
  const total = score.total
  // The assessment's updated_at moves in the same statement (a data-modifying CTE).
  const touched = tx
    .$with('touched_assessment')
    .as(tx.update(assessments).set({ updatedAt: sql`now()` }).where(eq(assessments.id, stage.assessmentId)))
  const [updated] = await tx
    .with(touched)
    .update(assessmentStages)
    .set({ total, updatedAt: sql`now()`, version: sql`${assessmentStages.version} + 1`, ...extra })
    .where(eq(assessmentStages.id, stage.id))
    .returning()
  assertReturned(updated, 'update')
  await syncStageMetrics(tx, updated, { def, score, assessment: known.assessment })
  return updated
}

export interface AnswerInput {
  question_code: string
  value: AnswerValue
  note?: string | null
  /** the TPI's recommendation (a tpi stage only; null or "" clears it, left out keeps it) */
  recommendation?: string | null
  evidence_ids?: string[]
  expected_version?: number
}

interface ItemError {
  pointer: string
  rule: string
  message: Message | string
}

/** The longest recommendation, as the longest note. */
const MAX_RECOMMENDATION = 5000

/** Checks answers against the instrument and evidence against the unit; returns every failing item. */
async function checkAnswerInputs(
  tx: Queryable,
  def: InstrumentDefinition,
  stage: Pick<StageRow, 'kind'>,
  unitPath: string,
  items: AnswerInput[],
  pointerOf: (i: number, field: string) => string,
): Promise<ItemError[]> {
  const errors: ItemError[] = []
  const seen = new Map<string, number>()
  items.forEach((item, i) => {
    const recommendation = noteOf(item.recommendation)
    if (recommendation !== null && !carriesRecommendations(stage.kind))
      errors.push({
        pointer: pointerOf(i, 'recommendation'),
        rule: 'recommendation_not_for_stage',
        message: msg('review:recommendation_not_for_stage', { stage: stage.kind }),
      })
    else if (recommendation !== null && recommendation.length > MAX_RECOMMENDATION)
      errors.push({
        pointer: pointerOf(i, 'recommendation'),
        rule: 'maxLength',
        message: msg('review:recommendation_too_long', { max: MAX_RECOMMENDATION }),
      })
    const first = seen.get(item.question_code)
    if (first !== undefined)
      errors.push({
        pointer: pointerOf(i, 'question_code'),
        rule: 'duplicate_question',
        message: msg('assessments:field.duplicate_question', { question_code: item.question_code, first }),
      })
    seen.set(item.question_code, i)
    for (const issue of validateAnswers(def, { [item.question_code]: item.value })) {
      const field = issue.code === 'unknown_question' ? 'question_code' : 'value'
      errors.push({ pointer: pointerOf(i, field), rule: issue.code, message: issue.message })
    }
  })
  const evidenceIds = [...new Set(items.flatMap((i) => i.evidence_ids ?? []))]
  if (evidenceIds.length > 0) {
    const found = await tx
      .select({ id: evidence.id, unitPath: units.path })
      .from(evidence)
      .innerJoin(units, eq(units.id, evidence.unitId))
      .where(inArray(evidence.id, evidenceIds))
    // Evidence must belong to the assessed unit or one of its ancestors (an OPD-wide SK counts for its units).
    const usable = new Set(found.filter((e) => unitPath.startsWith(e.unitPath)).map((e) => e.id))
    items.forEach((item, i) =>
      (item.evidence_ids ?? []).forEach((id, j) => {
        if (!usable.has(id))
          errors.push({
            pointer: pointerOf(i, `evidence_ids/${j}`),
            rule: 'evidence_not_found',
            message: msg('assessments:field.evidence_not_found', { id }),
          })
      }),
    )
  }
  return errors
}

/** What writeAnswers did (or, in a dry run, would do). */
export interface WriteOutcome {
  /** the stage after the write (as it was when nothing changed or in a dry run) */
  stage: StageRow
  /** the answers written, as stored now (none in a dry run) */
  written: StoredAnswer[]
  /** each written answer as it was (undefined: it is new) */
  before: (StoredAnswer | undefined)[]
  /** each answer the write changes (would change, in a dry run), from what to what */
  diff: AnswerWriteDiff[]
  /** the question codes of the items that change nothing (and are not written) */
  unchanged: string[]
}

/**
 * Writes answers to a locked, writable stage: inserts or updates each item that changes something
 * (one statement), replaces the evidence links of those that send `evidence_ids`, re-scores the
 * stage. Items that change nothing (the same value, note and evidence; "" and null notes alike)
 * are not written and not version-checked; when none changes, nothing is written at all (no
 * answer or stage version moves). A dry run checks everything and returns the diff without
 * writing. The caller holds the transaction; nothing is written unless every item is valid. The
 * stage's answers are read once (pass `stored` when already read).
 */
export async function writeAnswers(
  tx: Queryable,
  ctx: {
    principal: Principal
    stage: StageRow
    def: InstrumentDefinition
    unitPath: string
    assessment?: StageAssessment
    stored?: StoredAnswer[]
    dryRun?: boolean
    /** evidence entries that are not ids yet (links a dry-run import would create): shown, not checked */
    pendingEvidence?: ReadonlySet<string>
  },
  items: AnswerInput[],
  pointerOf: (i: number, field: string) => string,
): Promise<WriteOutcome> {
  const pending = ctx.pendingEvidence ?? new Set<string>()
  const checked = pending.size
    ? items.map((i) => (i.evidence_ids ? { ...i, evidence_ids: i.evidence_ids.filter((id) => !pending.has(id)) } : i))
    : items
  const errors = await checkAnswerInputs(tx, ctx.def, ctx.stage, ctx.unitPath, checked, pointerOf)
  if (errors.length > 0) {
    throw new ProblemError(422, 'answers_invalid', msg('assessments:answers_invalid', { count: errors.length }), {
      errors,
    })
  }
  const stored = ctx.stored ?? (await stageAnswers(tx, ctx.stage.id))
  const storedByCode = new Map(stored.map((a) => [a.row.questionCode, a]))
  const recommendations = carriesRecommendations(ctx.stage.kind)
  const diffs = items.map((item) => {
    const was = storedByCode.get(item.question_code)
    return answerWriteDiff(
      item.question_code,
      was
        ? {
            value: was.row.value ?? null,
            note: was.row.note,
            recommendation: was.row.recommendation,
            evidence_ids: was.evidenceIds,
          }
        : undefined,
      item,
      { recommendations },
    )
  })
  const stale: ItemError[] = []
  items.forEach((item, i) => {
    // an item that changes nothing is not written, so it cannot overwrite anyone
    if (item.expected_version === undefined || diffs[i] === null) return
    const now = storedByCode.get(item.question_code)?.row.version ?? 0
    if (now !== item.expected_version)
      stale.push({
        pointer: pointerOf(i, 'expected_version'),
        rule: 'stale',
        message: msg('assessments:field.stale', {
          question_code: item.question_code,
          now,
          expected_version: item.expected_version,
        }),
      })
  })
  if (stale.length > 0) {
    throw new ProblemError(
      412,
      'precondition_failed',
      msg('assessments:precondition_failed_2', { count: stale.length }),
      { errors: stale },
    )
  }
  const diff = diffs.filter((d): d is AnswerWriteDiff => d !== null)
  const unchanged = items.filter((_, i) => diffs[i] === null).map((i) => i.question_code)
  const changing = items.filter((_, i) => diffs[i] !== null)
  if (ctx.dryRun || changing.length === 0) return { stage: ctx.stage, written: [], before: [], diff, unchanged }
  // One statement for the whole batch. Items that send a note (a recommendation) set it (null or
  // "" clears it); items without one keep the stored one. Values go in as one JSON document
  // (e->'v' keeps a JSON null).
  const payload = JSON.stringify(
    changing.map((i) => ({ c: i.question_code, v: i.value ?? null, n: noteOf(i.note), r: noteOf(i.recommendation) })),
  )
  const keepNote = JSON.stringify(changing.filter((i) => i.note === undefined).map((i) => i.question_code))
  const keepRecommendation = JSON.stringify(
    changing.filter((i) => i.recommendation === undefined).map((i) => i.question_code),
  )
  const raw = await queryRows<RawAnswer>(
    tx,
    sql`insert into answers (stage_id, question_code, value, note, recommendation, updated_by)
        select ${ctx.stage.id}::uuid, e->>'c', e->'v', e->>'n', e->>'r', ${ctx.principal.principalId}::uuid
          from jsonb_array_elements(${payload}::jsonb) as e
        on conflict (stage_id, question_code) do update set
          value = excluded.value,
          note = case when excluded.question_code in (select jsonb_array_elements_text(${keepNote}::jsonb)) then answers.note else excluded.note end,
          recommendation = case when excluded.question_code in (select jsonb_array_elements_text(${keepRecommendation}::jsonb)) then answers.recommendation else excluded.recommendation end,
          updated_by = excluded.updated_by,
          updated_at = now(),
          version = answers.version + 1
        returning id, stage_id, question_code, value, note, recommendation, updated_by, created_at, updated_at, version`,
  )
  const rows = raw.map(answerRowOf)
  const byCode = new Map(rows.map((r) => [r.questionCode, r]))
  // An answer keeps its id on update, so the links of items that did not send evidence_ids are
  // the stored ones (a new answer has none).
  const links = new Map<string, string[]>(rows.map((r) => [r.id, storedByCode.get(r.questionCode)?.evidenceIds ?? []]))
  const withEvidence = changing.filter((i) => i.evidence_ids !== undefined)
  if (withEvidence.length > 0) {
    const ids = withEvidence.map((i) => byCode.get(i.question_code)!.id)
    for (const i of withEvidence) links.set(byCode.get(i.question_code)!.id, [...new Set(i.evidence_ids)].sort())
    await tx.delete(answerEvidence).where(inArray(answerEvidence.answerId, ids))
    const pairs = ids.flatMap((answerId) => links.get(answerId)!.map((evidenceId) => ({ answerId, evidenceId })))
    if (pairs.length > 0) await tx.insert(answerEvidence).values(pairs)
  }
  const values = { ...answerMap(stored), ...answerMap(rows.map((row) => ({ row }))) }
  const stage = await touchStage(tx, ctx.stage, ctx.def, {}, { values, assessment: ctx.assessment })
  const written = rows
    .sort((a, b) => (a.questionCode < b.questionCode ? -1 : a.questionCode > b.questionCode ? 1 : 0))
    .map((row) => ({ row, evidenceIds: links.get(row.id)! }))
  return { stage, written, before: written.map((w) => storedByCode.get(w.row.questionCode)), diff, unchanged }
}

interface RawAnswer {
  id: string
  stage_id: string
  question_code: string
  value: string | number | null
  note: string | null
  recommendation: string | null
  updated_by: string | null
  created_at: Date | string
  updated_at: Date | string
  version: number
}

const answerRowOf = (r: RawAnswer): AnswerRow => ({
  id: r.id,
  stageId: r.stage_id,
  questionCode: r.question_code,
  value: r.value ?? null,
  note: r.note,
  recommendation: r.recommendation,
  updatedBy: r.updated_by,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  version: Number(r.version),
})

export async function deleteAnswer(
  tx: Queryable,
  stage: StageRow,
  def: InstrumentDefinition,
  answer: AnswerRow,
): Promise<StageRow> {
  await tx.delete(answers).where(eq(answers.id, answer.id))
  return touchStage(tx, stage, def)
}

async function snapshot(
  tx: Queryable,
  stage: StageRow,
  def: InstrumentDefinition,
  status: StageStatus,
  principal: Principal,
): Promise<void> {
  const stored = await stageAnswers(tx, stage.id)
  await tx.insert(stageSnapshots).values({
    stageId: stage.id,
    status,
    answers: stored.map((a) => ({
      question_code: a.row.questionCode,
      value: a.row.value ?? null,
      note: a.row.note,
      ...(a.row.recommendation !== null ? { recommendation: a.row.recommendation } : {}),
      evidence_ids: a.evidenceIds,
    })),
    score: scoreOf(def, stored, true),
    createdBy: principal.principalId,
  })
}

export async function transitionStage(
  tx: Queryable,
  ctx: { principal: Principal; stage: StageRow; def: InstrumentDefinition; assessment: AssessmentRow },
  input: { to: StageStatus; reason?: string; comments?: { question_code: string; body: string }[] },
): Promise<StageRow> {
  const { stage, principal } = ctx
  const check = checkTransition(stage.kind, stage.status, input.to, principal.role)
  if (!check.ok) {
    const status = check.code === 'forbidden_transition' ? 403 : 409
    throw new ProblemError(
      status,
      check.code ?? 'invalid_transition',
      msg('assessments:detail', { kind: stage.kind, to: input.to, message: check.message }),
      { allowed: check.allowed, stage_status: stage.status },
    )
  }
  if (input.to === 'returned' && !input.reason) {
    throw new ProblemError(422, 'reason_required', msg('assessments:reason_required'), {
      errors: [{ pointer: '/body/reason', rule: 'required', message: msg('assessments:field.required') }],
    })
  }
  if (input.to === 'submitted') await assertWindowOpen(tx, ctx.assessment.periodId, windowFor(stage.kind, stage.status))
  const questionCodes = new Set(ctx.def.nodes.filter((n) => n.level === 'question').map((n) => n.code))
  const badComments = (input.comments ?? []).flatMap((c, i) =>
    questionCodes.has(c.question_code)
      ? []
      : [
          {
            pointer: `/body/comments/${i}/question_code`,
            rule: 'unknown_question',
            message: msg('assessments:field.unknown_question', { question_code: c.question_code }),
          },
        ],
  )
  if (badComments.length > 0)
    throw new ProblemError(422, 'comments_invalid', msg('assessments:comments_invalid'), {
      errors: badComments,
    })

  const now = sql`now()`
  const updated = await touchStage(tx, stage, ctx.def, {
    status: input.to,
    ...(input.to === 'submitted' ? { submittedAt: now as unknown as Date } : {}),
    ...(input.to === 'approved' ? { approvedAt: now as unknown as Date } : {}),
  })
  await tx.insert(stageTransitions).values({
    stageId: stage.id,
    fromStatus: stage.status,
    toStatus: input.to,
    reason: input.reason ?? null,
    actorId: principal.principalId,
    actorName: principal.name,
  })
  if (input.comments && input.comments.length > 0) {
    await tx.insert(questionComments).values(
      input.comments.map((c) => ({
        assessmentId: stage.assessmentId,
        stageId: stage.id,
        questionCode: c.question_code,
        authorId: principal.principalId,
        authorName: principal.name,
        authorRole: principal.role,
        body: c.body,
      })),
    )
  }
  if (input.to === 'submitted' || input.to === 'approved') await snapshot(tx, updated, ctx.def, input.to, principal)
  return updated
}

function stageStartProblem(refusal: StageStartRefusal): ProblemError {
  switch (refusal.code) {
    case 'copy_not_allowed':
      return new ProblemError(422, refusal.code, refusal.message, {
        errors: [
          {
            pointer: '/body/copy_from',
            rule: refusal.code,
            message: msg('assessments:field.rule', { p1: refusal.allowed.join(', ') }),
          },
        ],
      })
    case 'stage_prerequisite':
      return new ProblemError(
        409,
        refusal.code,
        refusal.message,
        refusal.requires ? { requires: refusal.requires } : {},
      )
    default:
      return new ProblemError(refusal.status, refusal.code, refusal.message)
  }
}

/** Starts a stage (tpi, tpn, sanggah), optionally as a copy of an earlier stage's answers and evidence links. */
export async function startStage(
  tx: Queryable,
  ctx: { principal: Principal; assessment: AssessmentRow; def: InstrumentDefinition },
  input: { kind: StageKind; copy_from?: StageKind },
): Promise<StageRow> {
  // one stage start at a time per assessment: two requests cannot both pass the checks below
  await tx.select({ id: assessments.id }).from(assessments).where(eq(assessments.id, ctx.assessment.id)).for('update')
  const existing = await listStages(tx, ctx.assessment.id)
  const refusal = checkStageStart(input, ctx.principal.role, existing)
  if (refusal) throw stageStartProblem(refusal)
  const rules = STAGE_RULES[input.kind]
  const source = input.copy_from ? existing.find((s) => s.kind === input.copy_from) : undefined
  await assertWindowOpen(tx, ctx.assessment.periodId, rules.window)
  const [stage] = await tx
    .insert(assessmentStages)
    .values({ assessmentId: ctx.assessment.id, kind: input.kind, copiedFromStageId: source?.id ?? null })
    .returning()
  assertReturned(stage, 'insert')
  if (!source) {
    await syncStageMetrics(tx, stage, { def: ctx.def })
    return stage
  }
  // The answers and their evidence links copied inside PostgreSQL, one statement each.
  await tx.execute(sql`insert into answers (stage_id, question_code, value, note, updated_by)
    select ${stage.id}::uuid, question_code, value, note, ${ctx.principal.principalId}::uuid from answers where stage_id = ${source.id}::uuid`)
  await tx.execute(sql`insert into answer_evidence (answer_id, evidence_id)
    select copy.id, link.evidence_id
      from answers original
      join answer_evidence link on link.answer_id = original.id
      join answers copy on copy.stage_id = ${stage.id}::uuid and copy.question_code = original.question_code
     where original.stage_id = ${source.id}::uuid`)
  return touchStage(tx, stage, ctx.def)
}

export { loadDefinition }

export async function assessmentView(db: Queryable, a: AssessmentRow, unitName: string) {
  const stages = await listStages(db, a.id)
  return {
    id: a.id,
    period_id: a.periodId,
    unit_id: a.unitId,
    unit_name: unitName,
    instrument_version_id: a.instrumentVersionId,
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
    stages: stages.map(stageView),
  }
}

/** One page of the assessments in the caller's scope, by id, optionally of one period or unit. */
export async function listAssessments(
  db: Queryable,
  principal: Principal,
  query: { period_id?: string; unit_id?: string; cursor?: string; limit: number },
) {
  const conditions: (SQL | undefined)[] = [unitScopeCondition(principal, units.path)]
  if (query.period_id) conditions.push(eq(assessments.periodId, query.period_id))
  if (query.unit_id) conditions.push(eq(assessments.unitId, query.unit_id))
  if (query.cursor) conditions.push(gt(assessments.id, decodeCursor(query.cursor, 'id').id))
  const rows = await db
    .select({ assessment: assessments, unitName: units.name })
    .from(assessments)
    .innerJoin(units, eq(units.id, assessments.unitId))
    .where(and(...conditions))
    .orderBy(asc(assessments.id))
    .limit(query.limit + 1)
  const page = finishPage(rows, query.limit, 'id', (r) => ({ value: null, id: r.assessment.id }))
  return {
    items: await Promise.all(page.items.map((r) => assessmentView(db, r.assessment, r.unitName))),
    next_cursor: page.next_cursor,
  }
}

export async function findStageAnswer(db: Queryable, stageId: string, code: string): Promise<StoredAnswer | undefined> {
  return (await stageAnswers(db, stageId, [code]))[0]
}

/**
 * The conditions on writing one answer: a new one needs no If-Match (or If-None-Match: *);
 * changing an existing one needs If-Match with its ETag (428 without, 412 when stale).
 */
export function checkAnswerWrite(
  existing: AnswerRow | undefined,
  code: string,
  headers: { 'if-match'?: string | undefined; 'if-none-match'?: string | undefined },
): void {
  const ifMatch = headers['if-match']
  if (!existing) {
    if (ifMatch && ifMatch.trim() !== '*')
      throw new ProblemError(412, 'precondition_failed', msg('assessments:precondition_failed_3', { code }))
    return
  }
  if (headers['if-none-match']?.trim() === '*')
    throw new ProblemError(
      412,
      'precondition_failed',
      msg('assessments:precondition_failed_4', { code, version: existing.version }),
    )
  if (!ifMatch)
    throw new ProblemError(
      428,
      'precondition_required',
      msg('assessments:precondition_required', { code, etag: versionEtag(existing) }),
    )
  checkIfMatch(ifMatch, existing, `answer to ${code}`)
}

/** Clearing an answer: 404 when there is none, If-Match with its ETag required (428, 412). */
export function checkAnswerClear(
  existing: StoredAnswer | undefined,
  code: string,
  ifMatch: string | undefined,
): StoredAnswer {
  if (!existing) throw new ProblemError(404, 'answer_not_found', msg('assessments:answer_not_found', { code }))
  if (!ifMatch)
    throw new ProblemError(
      428,
      'precondition_required',
      msg('assessments:precondition_required_2', { etag: versionEtag(existing.row) }),
    )
  checkIfMatch(ifMatch, existing.row, `answer to ${code}`)
  return existing
}

/** What changed between two stages, each change with its scored value before and after, and the total's move. */
export async function diffStages(db: Queryable, def: InstrumentDefinition, from: StageRow, to: StageRow) {
  const [a, b] = await Promise.all([stageAnswers(db, from.id), stageAnswers(db, to.id)])
  const scoreA = scoreInstrument(def, answerMap(a))
  const scoreB = scoreInstrument(def, answerMap(b))
  const valueIn = (score: typeof scoreA, code: string) => score.questions.find((q) => q.code === code)?.value ?? null
  const like = (x: StoredAnswer) => ({ questionCode: x.row.questionCode, value: x.row.value ?? null, note: x.row.note })
  const changes = diffAnswers(a.map(like), b.map(like)).map((c) => ({
    ...c,
    from_value: valueIn(scoreA, c.question_code),
    to_value: valueIn(scoreB, c.question_code),
  }))
  return {
    from: { stage: from.kind, total: scoreA.total },
    to: { stage: to.kind, total: scoreB.total },
    total_effect: scoreB.total - scoreA.total,
    changes,
  }
}

/** The frozen copies of a stage, oldest first. */
export async function listSnapshots(db: Queryable, stageId: string) {
  const rows = await db
    .select()
    .from(stageSnapshots)
    .where(eq(stageSnapshots.stageId, stageId))
    .orderBy(asc(stageSnapshots.createdAt), asc(stageSnapshots.id))
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    created_at: r.createdAt.toISOString(),
    total: (r.score as { total: number }).total,
    answers: r.answers,
  }))
}

export type CommentRow = typeof questionComments.$inferSelect

export function commentView(c: CommentRow, stage: StageKind | null) {
  return {
    id: c.id,
    question_code: c.questionCode,
    stage,
    author_name: c.authorName,
    author_role: c.authorRole,
    body: c.body,
    created_at: c.createdAt.toISOString(),
  }
}

/** The comment thread on one question of an assessment, oldest first, each with its stage's kind. */
export async function listComments(db: Queryable, assessmentId: string, code: string) {
  const stages = new Map((await listStages(db, assessmentId)).map((s) => [s.id, s.kind]))
  const rows = await db
    .select()
    .from(questionComments)
    .where(and(eq(questionComments.assessmentId, assessmentId), eq(questionComments.questionCode, code)))
    .orderBy(asc(questionComments.createdAt), asc(questionComments.id))
  return rows.map((c) => commentView(c, c.stageId ? (stages.get(c.stageId) ?? null) : null))
}

/** Adds to a question's thread (outside any stage); 422 when the instrument has no such question. */
export async function addComment(
  tx: Queryable,
  ctx: { principal: Principal; assessment: AssessmentRow; def: InstrumentDefinition },
  code: string,
  body: string,
): Promise<CommentRow> {
  if (!ctx.def.nodes.some((n) => n.level === 'question' && n.code === code)) {
    throw new ProblemError(422, 'unknown_question', msg('assessments:unknown_question', { code }), {
      errors: [
        { pointer: '/params/code', rule: 'unknown_question', message: msg('assessments:field.unknown_question_2') },
      ],
    })
  }
  const p = ctx.principal
  const [row] = await tx
    .insert(questionComments)
    .values({
      assessmentId: ctx.assessment.id,
      questionCode: code,
      authorId: p.principalId,
      authorName: p.name,
      authorRole: p.role,
      body,
    })
    .returning()
  assertReturned(row, 'insert')
  return row
}
