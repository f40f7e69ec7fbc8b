import { eq, sql } from 'drizzle-orm'
import type { Tx } from '../../db/connection.js'
import { audit, event, type CommandContext } from '../../lib/command.js'
import { checkIfMatch } from '../../lib/etag.js'
import { msg } from '../../lib/i18n.js'
import { ProblemError } from '../../lib/problem.js'
import { assertReturned } from '../../lib/returned.js'
import { assertCanReadStage, loadAssessment, loadStage, stageAnswerValues } from '../assessments/service.js'
import type { EventInput } from '../events/service.js'
import type { EventType } from '../events/rules.js'
import { loadTargetUnit } from '../evidence/service.js'
import { loadDefinition } from '../instruments/cache.js'
import { areaOf } from '../instruments/domain/areas.js'
import { PlannerError, planImprovement, type PlanResult } from '../instruments/domain/index.js'
import { indexTree } from '../instruments/domain/tree.js'
import { jakartaDate } from './rules.js'
import type {
  ActionDetail,
  ActionView,
  CreateActionBody,
  FromPlanBody,
  MonitoringNoteBody,
  PatchActionBody,
  RealisationBody,
} from './schemas.js'
import {
  actionDetail,
  checkEvidence,
  checkPicPrincipal,
  checkStatus,
  loadPeriodForActions,
  loadVisibleAction,
  plannedQuestions,
  resolveArea,
  toActionView,
} from './service.js'
import { type ActionRow, actionMonitoringNotes, actionRealisations, actions } from './tables.js'

/**
 * The rencana aksi's writes. Unit operators (of their own units) and admins write actions and
 * their realisation; evaluators (the TPI) and admins write monitoring notes; every change bumps the
 * action's version and leaves an audit record and an `action.*` event. A write that changes
 * nothing leaves no trace.
 */

const WRITER_ROLES = ['admin', 'unit_operator']
const MONITOR_ROLES = ['admin', 'evaluator']

function assertWriter(ctx: CommandContext): void {
  if (!WRITER_ROLES.includes(ctx.principal.role)) {
    throw new ProblemError(403, 'action_write_forbidden', msg('actions:write_forbidden', { role: ctx.principal.role }))
  }
}

export function actionEvent(
  type: EventType,
  a: ActionRow,
  extra: Record<string, unknown> = {},
): Omit<EventInput, 'requestId'> {
  return {
    type,
    unitId: a.unitId,
    periodId: a.periodId,
    subject: { type: 'action', id: a.id },
    data: {
      action_id: a.id,
      area: a.area,
      question_code: a.questionCode,
      status: a.status,
      target_date: a.targetDate,
      version: a.version,
      ...extra,
    },
  }
}

const today = (): string => jakartaDate(new Date())

async function bump(tx: Tx, id: string, set: Partial<typeof actions.$inferInsert> = {}): Promise<ActionRow> {
  const [row] = await tx
    .update(actions)
    .set({ ...set, updatedAt: sql`now()`, version: sql`${actions.version} + 1` })
    .where(eq(actions.id, id))
    .returning()
  assertReturned(row, 'update')
  return row
}

/** The audit's picture of an action (without its realisations and notes). */
const snapshot = async (tx: Tx, row: ActionRow): Promise<ActionView> => {
  const { realisations: _r, monitoring_notes: _n, ...view } = await actionDetail(tx, row, today())
  return view
}

async function insertAction(
  tx: Tx,
  ctx: CommandContext,
  values: Omit<typeof actions.$inferInsert, 'createdByName'>,
): Promise<ActionRow> {
  const [row] = await tx
    .insert(actions)
    .values({ ...values, createdByName: ctx.principal.name })
    .returning()
  assertReturned(row, 'insert')
  await audit(tx, ctx, {
    action: 'action.created',
    entityType: 'action',
    entityId: row.id,
    before: null,
    after: await snapshot(tx, row),
  })
  await event(tx, ctx, actionEvent('action.created', row, { source: row.source }))
  return row
}

export const createAction = (ctx: CommandContext, input: CreateActionBody): Promise<ActionDetail> =>
  ctx.db.transaction(async (tx) => {
    assertWriter(ctx)
    const unit = await loadTargetUnit(tx, ctx.principal, input.unit_id)
    const period = await loadPeriodForActions(tx, input.period_id)
    const area = await resolveArea(
      tx,
      period,
      { area: input.area, questionCode: input.question_code },
      { area: '/body/area', question: '/body/question_code' },
    )
    await checkPicPrincipal(tx, input.pic_principal_id, '/body/pic_principal_id')
    const row = await insertAction(tx, ctx, {
      unitId: unit.id,
      periodId: period.id,
      area,
      questionCode: input.question_code ?? null,
      title: input.title.trim(),
      description: input.description ?? null,
      picName: input.pic_name.trim(),
      picPrincipalId: input.pic_principal_id ?? null,
      targetDate: input.target_date,
      expectedOutput: input.expected_output ?? null,
      status: input.status ?? 'planned',
      source: 'manual',
    })
    return actionDetail(tx, row, today())
  })

export interface ActionTarget {
  id: string
  ifMatch?: string | undefined
}

/** Edits an action (fields, status); cancelling needs a reason. Changes nothing: no trace. */
export const updateAction = (
  ctx: CommandContext,
  target: ActionTarget,
  patch: PatchActionBody,
): Promise<ActionDetail> =>
  ctx.db.transaction(async (tx) => {
    const { action: current } = await loadVisibleAction(tx, ctx.principal, target.id, { forUpdate: true })
    assertWriter(ctx)
    checkIfMatch(target.ifMatch, current, 'action')
    const questionCode = patch.question_code !== undefined ? patch.question_code : current.questionCode
    let area = current.area
    if (patch.area !== undefined || patch.question_code !== undefined) {
      const period = await loadPeriodForActions(tx, current.periodId)
      area = await resolveArea(
        tx,
        period,
        { area: patch.area ?? (questionCode ? undefined : current.area), questionCode },
        { area: '/body/area', question: '/body/question_code' },
      )
    }
    const status = patch.status ?? current.status
    const cancelReason =
      patch.cancel_reason !== undefined
        ? (patch.cancel_reason?.trim() ?? null)
        : status === 'cancelled'
          ? current.cancelReason
          : null
    checkStatus(status, cancelReason, '/body/cancel_reason')
    if (patch.pic_principal_id) await checkPicPrincipal(tx, patch.pic_principal_id, '/body/pic_principal_id')
    const next = {
      area,
      questionCode,
      title: patch.title?.trim() ?? current.title,
      description: patch.description !== undefined ? patch.description : current.description,
      picName: patch.pic_name?.trim() ?? current.picName,
      picPrincipalId: patch.pic_principal_id !== undefined ? patch.pic_principal_id : current.picPrincipalId,
      targetDate: patch.target_date ?? current.targetDate,
      expectedOutput: patch.expected_output !== undefined ? patch.expected_output : current.expectedOutput,
      status,
      cancelReason,
    }
    const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== current[k])
    if (changed.length === 0) return actionDetail(tx, current, today())
    const before = await snapshot(tx, current)
    const updated = await bump(tx, current.id, next)
    await audit(tx, ctx, {
      action: 'action.updated',
      entityType: 'action',
      entityId: current.id,
      before,
      after: await snapshot(tx, updated),
    })
    await event(
      tx,
      ctx,
      actionEvent('action.updated', updated, {
        changed: changed.map((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)),
        from_status: current.status,
        ...(updated.status === 'cancelled' ? { cancel_reason: updated.cancelReason } : {}),
      }),
    )
    return actionDetail(tx, updated, today())
  })

/**
 * Records (or replaces) a month's realisation: progress, narrative, evidence. A planned action
 * moves to in_progress with its first realisation.
 */
export const recordRealisation = (
  ctx: CommandContext,
  target: ActionTarget & { month: string },
  input: RealisationBody,
): Promise<ActionDetail> =>
  ctx.db.transaction(async (tx) => {
    const { action: current } = await loadVisibleAction(tx, ctx.principal, target.id, { forUpdate: true })
    assertWriter(ctx)
    checkIfMatch(target.ifMatch, current, 'action')
    const evidenceItems = input.evidence ?? []
    await checkEvidence(tx, current.unitId, evidenceItems, '/body/evidence')
    const narrative = input.narrative ?? null
    const [existing] = await tx
      .select()
      .from(actionRealisations)
      .where(sql`${actionRealisations.actionId} = ${current.id} and ${actionRealisations.month} = ${target.month}`)
    if (
      existing &&
      existing.progressPercent === input.progress_percent &&
      existing.narrative === narrative &&
      JSON.stringify(existing.evidence) === JSON.stringify(evidenceItems)
    ) {
      return actionDetail(tx, current, today())
    }
    const values = {
      progressPercent: input.progress_percent,
      narrative,
      evidence: evidenceItems,
      recordedById: ctx.principal.principalId,
      recordedByName: ctx.principal.name,
    }
    if (existing) {
      await tx
        .update(actionRealisations)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(actionRealisations.id, existing.id))
    } else {
      await tx.insert(actionRealisations).values({ actionId: current.id, month: target.month, ...values })
    }
    const updated = await bump(tx, current.id, current.status === 'planned' ? { status: 'in_progress' } : {})
    await audit(tx, ctx, {
      action: 'action.realisation_recorded',
      entityType: 'action',
      entityId: current.id,
      before: existing
        ? {
            month: existing.month,
            progress_percent: existing.progressPercent,
            narrative: existing.narrative,
            evidence: existing.evidence,
          }
        : null,
      after: {
        month: target.month,
        progress_percent: input.progress_percent,
        narrative,
        evidence: evidenceItems,
        status: updated.status,
      },
    })
    await event(
      tx,
      ctx,
      actionEvent('action.realisation_recorded', updated, {
        month: target.month,
        progress_percent: input.progress_percent,
        from_status: current.status,
      }),
    )
    return actionDetail(tx, updated, today())
  })

/** The TPI's monitoring note on an action (evaluators and admins). */
export const addMonitoringNote = (
  ctx: CommandContext,
  target: ActionTarget,
  input: MonitoringNoteBody,
): Promise<ActionDetail> =>
  ctx.db.transaction(async (tx) => {
    const { action: current } = await loadVisibleAction(tx, ctx.principal, target.id, { forUpdate: true })
    if (!MONITOR_ROLES.includes(ctx.principal.role)) {
      throw new ProblemError(
        403,
        'monitoring_note_forbidden',
        msg('actions:monitoring_forbidden', { role: ctx.principal.role }),
      )
    }
    checkIfMatch(target.ifMatch, current, 'action')
    const [note] = await tx
      .insert(actionMonitoringNotes)
      .values({
        actionId: current.id,
        note: input.note.trim(),
        authorPrincipalId: ctx.principal.principalId,
        authorName: ctx.principal.name,
        authorRole: ctx.principal.role,
      })
      .returning()
    assertReturned(note, 'insert')
    const updated = await bump(tx, current.id)
    await audit(tx, ctx, {
      action: 'action.monitoring_noted',
      entityType: 'action',
      entityId: current.id,
      before: null,
      after: { note_id: note.id, note: note.note },
    })
    await event(tx, ctx, actionEvent('action.monitoring_noted', updated, { note_id: note.id }))
    return actionDetail(tx, updated, today())
  })

export interface FromPlanOutcome {
  unit_id: string
  period_id: string
  target: 'WBK' | 'WBBM'
  reachable: boolean
  steps: number
  created: ActionView[]
  skipped: { question_code: string; action_id: string | null; reason: 'already_planned' | 'no_area' }[]
}

function planOr422(...args: Parameters<typeof planImprovement>): PlanResult {
  try {
    return planImprovement(...args)
  } catch (error) {
    if (error instanceof PlannerError) {
      throw new ProblemError(422, error.code, error.message, {
        errors: [{ pointer: `/definition${error.pointer}`, rule: error.code, message: error.message }],
      })
    }
    throw error
  }
}

/**
 * Each step of the improvement plan of a stage's current answers (default options) becomes a
 * proposed action on its question: its area, the question as title, the scoring criteria as
 * description, the evidence guidance as expected output, the proposed answer. A question that
 * already has an action (not cancelled) in the unit's plan is skipped, so running it again
 * creates nothing.
 */
export async function createActionsFromPlan(ctx: CommandContext, input: FromPlanBody): Promise<FromPlanOutcome> {
  assertWriter(ctx)
  const { assessment } = await loadAssessment(ctx.db, ctx.principal, input.assessment_id)
  const stage = await loadStage(ctx.db, assessment.id, input.stage ?? 'self')
  assertCanReadStage(ctx.principal, stage)
  const [def, answerSet] = await Promise.all([
    loadDefinition(ctx.db, assessment.instrumentVersionId),
    stageAnswerValues(ctx.db, stage.id),
  ])
  const plan = planOr422(def, answerSet, input.target)
  const index = indexTree(def)
  return ctx.db.transaction(async (tx) => {
    await checkPicPrincipal(tx, input.pic_principal_id, '/body/pic_principal_id')
    const planned = await plannedQuestions(tx, assessment.unitId, assessment.periodId)
    const created: ActionView[] = []
    const skipped: FromPlanOutcome['skipped'] = []
    const now = today()
    for (const step of plan.steps) {
      const existing = planned.get(step.code)
      if (existing) {
        skipped.push({ question_code: step.code, action_id: existing, reason: 'already_planned' })
        continue
      }
      const node = index.byCode.get(step.code)
      const ratio = step.ratio_code ? index.byCode.get(step.ratio_code) : undefined
      const area = (node && areaOf(index, node)) ?? (ratio && areaOf(index, ratio)) ?? null
      if (!area) {
        skipped.push({ question_code: step.code, action_id: null, reason: 'no_area' })
        continue
      }
      const row = await insertAction(tx, ctx, {
        unitId: assessment.unitId,
        periodId: assessment.periodId,
        area,
        questionCode: step.code,
        title: step.name.slice(0, 300),
        description: step.kriteria_nilai ?? null,
        picName: input.pic_name.trim(),
        picPrincipalId: input.pic_principal_id ?? null,
        targetDate: input.target_date,
        expectedOutput: step.evidence_guidance ?? null,
        status: 'planned',
        source: 'plan',
        planTarget: input.target,
        proposedAnswer: String(step.proposed),
      })
      planned.set(step.code, row.id)
      created.push(toActionView({ action: row, latestProgress: null, latestMonth: null }, now))
    }
    return {
      unit_id: assessment.unitId,
      period_id: assessment.periodId,
      target: input.target,
      reachable: plan.reachable,
      steps: plan.steps.length,
      created,
      skipped,
    }
  })
}
