import type { Tx } from '../../db/connection.js'
import { audit, event, type CommandContext } from '../../lib/command.js'
import { checkIfMatch, etagMatches, versionEtag } from '../../lib/etag.js'
import { ProblemError } from '../../lib/problem.js'
import { stageEvent } from './events.js'
import type { InstrumentDefinition } from '../instruments/domain/index.js'
import { assertWindowOpen } from '../periods/service.js'
import { windowFor, type AnswerWriteDiff, type StageKind, type StageStatus } from './rules.js'
import {
  addComment,
  answerView,
  assertCanWriteStage,
  assessmentView,
  beforeViews,
  checkAnswerClear,
  checkAnswerWrite,
  createAssessment,
  deleteAnswer,
  findStageAnswer,
  loadAssessment,
  loadDefinition,
  loadStage,
  stageAnswers,
  stageView,
  startStage,
  transitionStage,
  writeAnswers,
  type CommentRow,
  type AnswerInput,
  type AssessmentRow,
  type LoadedAssessment,
  type StageRow,
  type StoredAnswer,
} from './service.js'
import { msg } from '../../lib/i18n.js'

/** A stage locked for writing its answers, with what every such write needs. */
export interface WritableStage {
  assessment: AssessmentRow
  unit: LoadedAssessment['unit']
  stage: StageRow
  def: InstrumentDefinition
}

/**
 * The preamble of every write to a stage's answers, in this order: the assessment in the caller's
 * scope (404), the stage locked (FOR UPDATE), the stage's ETag when the caller sends one (412),
 * the caller a writer of the stage and the stage a draft or returned (403, 409), the period's
 * window open (409), the instrument version's definition.
 */
export async function lockWritableStage(
  tx: Tx,
  ctx: CommandContext,
  target: { assessmentId: string; stage: StageKind; ifMatch?: string | undefined },
): Promise<WritableStage> {
  const { assessment, unit } = await loadAssessment(tx, ctx.principal, target.assessmentId)
  const stage = await loadStage(tx, assessment.id, target.stage, { forUpdate: true })
  if (target.ifMatch && !etagMatches(target.ifMatch, versionEtag(stage))) {
    throw new ProblemError(
      412,
      'precondition_failed',
      msg('assessments:precondition_failed', { version: stage.version }),
      { current_version: stage.version },
    )
  }
  assertCanWriteStage(ctx.principal, stage)
  await assertWindowOpen(tx, assessment.periodId, windowFor(stage.kind, stage.status))
  const def = await loadDefinition(tx, assessment.instrumentVersionId)
  return { assessment, unit, stage, def }
}

/** What a write to a stage's answers writes, when it is built from the locked stage (the workbook import). */
export interface PreparedAnswers {
  items: AnswerInput[]
  pointerOf: (i: number, field: string) => string
  /** the stage's answers, when `prepare` already read them */
  stored?: StoredAnswer[]
  /** evidence entries that are not ids yet (links a dry run would create) */
  pendingEvidence?: ReadonlySet<string>
  /** added to the audit record's `after` */
  audit?: Record<string, unknown>
}

export interface WriteStageAnswersInput {
  assessmentId: string
  stage: StageKind
  /** the answers to write (or `prepare` builds them) */
  items?: AnswerInput[]
  /** where an item's field is in the request, for 422 and 412 pointers (default /body/answers/<i>/<field>) */
  pointerOf?: (i: number, field: string) => string
  /** builds the answers inside the transaction, from the locked stage; `dryRun` says it must not write either */
  prepare?: (tx: Tx, target: WritableStage, dryRun: boolean) => Promise<PreparedAnswers>
  /** check everything and return the diff, write nothing */
  dryRun?: boolean
  /** the stage's ETag the caller holds (If-Match): 412 when the stage changed since */
  ifMatch?: string | undefined
  /** the audit record's action (default answers.batch_written) */
  action?: string
  /** added to the event's data (e.g. source: workbook) */
  eventData?: Record<string, unknown>
}

export interface StageAnswersResult {
  target: WritableStage
  /** the stage after the write (unchanged when nothing changed or in a dry run) */
  stage: StageRow
  /** the answers written, as stored now */
  written: StoredAnswer[]
  /** every answer that changed (would change, in a dry run), from what to what */
  diff: AnswerWriteDiff[]
  /** the question codes whose items changed nothing */
  unchanged: string[]
  dryRun: boolean
}

/**
 * Writes answers to a stage, all or nothing: the batch route, `zi answers push` (through it) and
 * the workbook import. Items that change nothing are not written; when none changes there is no
 * trace at all (no answer or stage version moves, no audit record, no event, no webhook). A dry
 * run makes every check and returns the diff without writing.
 */
export async function writeStageAnswers(
  ctx: CommandContext,
  input: WriteStageAnswersInput,
): Promise<StageAnswersResult> {
  const dryRun = input.dryRun ?? false
  return ctx.db.transaction(async (tx) => {
    const target = await lockWritableStage(tx, ctx, input)
    const prepared: PreparedAnswers = input.prepare
      ? await input.prepare(tx, target, dryRun)
      : {
          items: input.items ?? [],
          pointerOf: input.pointerOf ?? ((i, field) => `/body/answers/${i}/${field}`),
        }
    const outcome = await writeAnswers(
      tx,
      {
        principal: ctx.principal,
        stage: target.stage,
        def: target.def,
        unitPath: target.unit.path,
        assessment: target.assessment,
        dryRun,
        ...(prepared.stored ? { stored: prepared.stored } : {}),
        ...(prepared.pendingEvidence ? { pendingEvidence: prepared.pendingEvidence } : {}),
      },
      prepared.items,
      prepared.pointerOf,
    )
    const result = {
      target,
      stage: outcome.stage,
      written: outcome.written,
      diff: outcome.diff,
      unchanged: outcome.unchanged,
      dryRun,
    }
    if (dryRun || outcome.written.length === 0) return result
    const answers = outcome.written.map(answerView)
    await audit(tx, ctx, {
      action: input.action ?? 'answers.batch_written',
      entityType: 'assessment_stage',
      entityId: target.stage.id,
      before: beforeViews(outcome.written, outcome.before),
      after: prepared.audit ? { ...prepared.audit, answers } : answers,
    })
    await event(
      tx,
      ctx,
      stageEvent('answer.changed', target.assessment, outcome.stage, {
        question_codes: outcome.written.map((w) => w.row.questionCode),
        ...input.eventData,
      }),
    )
    return result
  })
}

export interface PutAnswerInput {
  assessmentId: string
  stage: StageKind
  code: string
  value: AnswerInput['value']
  note?: string | null | undefined
  recommendation?: string | null | undefined
  evidence_ids?: string[] | undefined
  ifMatch?: string | undefined
  ifNoneMatch?: string | undefined
}

/**
 * Writes one answer (PUT …/answers/{code}): a new one needs no If-Match, changing one needs its
 * ETag (428, 412). The same answer again changes nothing and leaves no trace (`changed: false`).
 */
export async function putAnswer(
  ctx: CommandContext,
  input: PutAnswerInput,
): Promise<{ answer: StoredAnswer | null; created: boolean; changed: boolean; stage: StageRow }> {
  return ctx.db.transaction(async (tx) => {
    const target = await lockWritableStage(tx, ctx, { assessmentId: input.assessmentId, stage: input.stage })
    const { stage, assessment } = target
    const stored = await stageAnswers(tx, stage.id)
    const existing = stored.find((a) => a.row.questionCode === input.code)
    checkAnswerWrite(existing?.row, input.code, { 'if-match': input.ifMatch, 'if-none-match': input.ifNoneMatch })
    const outcome = await writeAnswers(
      tx,
      { principal: ctx.principal, stage, def: target.def, unitPath: target.unit.path, assessment, stored },
      [
        {
          question_code: input.code,
          value: input.value,
          ...(input.note !== undefined ? { note: input.note } : {}),
          ...(input.recommendation !== undefined ? { recommendation: input.recommendation } : {}),
          ...(input.evidence_ids ? { evidence_ids: input.evidence_ids } : {}),
        },
      ],
      (_i, field) => (field === 'question_code' ? '/params/code' : `/body/${field}`),
    )
    const after = outcome.written[0]
    if (!after) return { answer: existing ?? null, created: false, changed: false, stage }
    await audit(tx, ctx, {
      action: existing ? 'answer.updated' : 'answer.created',
      entityType: 'answer',
      entityId: after.row.id,
      before: existing ? answerView(existing) : null,
      after: { ...answerView(after), stage_id: stage.id },
    })
    await event(tx, ctx, stageEvent('answer.changed', assessment, outcome.stage, { question_codes: [input.code] }))
    return { answer: after, created: !existing, changed: true, stage: outcome.stage }
  })
}

/** Opens the assessment of a unit in a period, with its self stage as a draft (POST /v1/assessments). */
export async function openAssessment(
  ctx: CommandContext,
  input: { period_id: string; unit_id: string },
): Promise<Awaited<ReturnType<typeof assessmentView>>> {
  return ctx.db.transaction(async (tx) => {
    const created = await createAssessment(tx, ctx.principal, input)
    const view = await assessmentView(tx, created.assessment, created.unit.name)
    await audit(tx, ctx, {
      action: 'assessment.created',
      entityType: 'assessment',
      entityId: view.id,
      before: null,
      after: view,
    })
    await event(tx, ctx, {
      type: 'assessment.created',
      unitId: view.unit_id,
      periodId: view.period_id,
      assessmentId: view.id,
      subject: { type: 'assessment', id: view.id },
      data: { assessment_id: view.id, stages: view.stages.map((st) => st.kind) },
    })
    return view
  })
}

/** Starts a stage (tpi, tpn, sanggah), optionally as a copy of an earlier stage's answers. */
export async function openStage(
  ctx: CommandContext,
  input: { assessmentId: string; kind: StageKind; copy_from?: StageKind | undefined },
): Promise<StageRow> {
  return ctx.db.transaction(async (tx) => {
    const { assessment } = await loadAssessment(tx, ctx.principal, input.assessmentId)
    const def = await loadDefinition(tx, assessment.instrumentVersionId)
    const body = { kind: input.kind, ...(input.copy_from ? { copy_from: input.copy_from } : {}) }
    const started = await startStage(tx, { principal: ctx.principal, assessment, def }, body)
    const copyFrom = input.copy_from ?? null
    await audit(tx, ctx, {
      action: 'stage.started',
      entityType: 'assessment_stage',
      entityId: started.id,
      before: null,
      after: { ...stageView(started), copy_from: copyFrom },
    })
    await event(tx, ctx, stageEvent('stage.started', assessment, started, { copy_from: copyFrom }))
    return started
  })
}

/** Clears one answer (DELETE …/answers/{code}): it must exist (404) and If-Match must name it (428, 412). */
export async function clearAnswer(
  ctx: CommandContext,
  input: { assessmentId: string; stage: StageKind; code: string; ifMatch?: string | undefined },
): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const { assessment, stage, def } = await lockWritableStage(tx, ctx, {
      assessmentId: input.assessmentId,
      stage: input.stage,
    })
    const existing = checkAnswerClear(await findStageAnswer(tx, stage.id, input.code), input.code, input.ifMatch)
    const updated = await deleteAnswer(tx, stage, def, existing.row)
    await audit(tx, ctx, {
      action: 'answer.deleted',
      entityType: 'answer',
      entityId: existing.row.id,
      before: answerView(existing),
      after: null,
    })
    await event(tx, ctx, stageEvent('answer.changed', assessment, updated, { question_codes: [input.code] }))
  })
}

export interface MoveStageInput {
  assessmentId: string
  stage: StageKind
  /** submitted (the writers), returned or approved (the reviewers) */
  to: Extract<StageStatus, 'submitted' | 'returned' | 'approved'>
  reason?: string | undefined
  comments?: { question_code: string; body: string }[] | undefined
  /** the stage's ETag the caller read: 412 when it changed since */
  ifMatch?: string | undefined
}

/**
 * Submits, returns (with per-question comments) or approves a stage; submits and approvals freeze
 * a snapshot. The status machine and who may take each move are in rules.ts (checkTransition).
 */
export async function moveStage(ctx: CommandContext, input: MoveStageInput): Promise<StageRow> {
  return ctx.db.transaction(async (tx) => {
    const { assessment } = await loadAssessment(tx, ctx.principal, input.assessmentId)
    const current = await loadStage(tx, assessment.id, input.stage, { forUpdate: true })
    checkIfMatch(input.ifMatch, current, 'stage')
    const def = await loadDefinition(tx, assessment.instrumentVersionId)
    const body = {
      to: input.to,
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      ...(input.comments !== undefined ? { comments: input.comments } : {}),
    }
    const updated = await transitionStage(tx, { principal: ctx.principal, stage: current, def, assessment }, body)
    await audit(tx, ctx, {
      action: `stage.${input.to}`,
      entityType: 'assessment_stage',
      entityId: current.id,
      before: stageView(current),
      after: { ...stageView(updated), reason: input.reason ?? null, comments: input.comments?.length ?? 0 },
    })
    await event(tx, ctx, stageEvent(`stage.${input.to}`, assessment, updated, { reason: input.reason ?? null }))
    return updated
  })
}

/** Adds to the comment thread on one question of an assessment (outside any stage). */
export async function commentOnQuestion(
  ctx: CommandContext,
  input: { assessmentId: string; code: string; body: string },
): Promise<CommentRow> {
  return ctx.db.transaction(async (tx) => {
    const { assessment } = await loadAssessment(tx, ctx.principal, input.assessmentId)
    const def = await loadDefinition(tx, assessment.instrumentVersionId)
    const row = await addComment(tx, { principal: ctx.principal, assessment, def }, input.code, input.body)
    await audit(tx, ctx, {
      action: 'comment.created',
      entityType: 'question_comment',
      entityId: row.id,
      before: null,
      after: { question_code: row.questionCode, body: row.body, assessment_id: assessment.id },
    })
    return row
  })
}
