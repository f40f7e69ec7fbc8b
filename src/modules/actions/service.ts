import { and, asc, eq, gt, inArray, isNotNull, lt, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { type Message, msg } from '../../lib/i18n.js'
import { decodeCursor, finishPage } from '../../lib/pagination.js'
import type { Principal } from '../../lib/principal.js'
import { ProblemError } from '../../lib/problem.js'
import { assertReturned } from '../../lib/returned.js'
import { isUnitInScope, unitScopeCondition } from '../auth/scope.js'
import { principals } from '../auth/tables.js'
import { checkPeriodExists } from '../evidence/service.js'
import { evidence } from '../evidence/tables.js'
import { loadDefinition } from '../instruments/cache.js'
import { AREA_NAMES, type AreaCode, areaOf } from '../instruments/domain/areas.js'
import { indexTree } from '../instruments/domain/tree.js'
import { periods } from '../periods/tables.js'
import { type UnitRow, units } from '../units/tables.js'
import { type ActionStatus, OPEN_STATUSES, isOverdue, jakartaDate, statusRule } from './rules.js'
import type { ActionDetail, ActionListQuery, ActionView, MonitoringNoteView, RealisationView } from './schemas.js'
import { latestProgressSql } from './summary.js'
import {
  type ActionMonitoringNoteRow,
  type ActionRealisationRow,
  type ActionRow,
  type RealisationEvidence,
  actionMonitoringNotes,
  actionRealisations,
  actions,
} from './tables.js'

export interface OverdueAction {
  id: string
  unitId: string
  unitCode: string
  unitName: string
  periodId: string
  periodCode: string
  area: AreaCode
  questionCode: string | null
  title: string
  picName: string
  picPrincipalId: string | null
  /** YYYY-MM-DD */
  targetDate: string
  status: ActionStatus
}

/**
 * The actions overdue on `asOf` (its date in Asia/Jakarta): the target date is before that date and
 * the action is planned or in progress. Every unit (or those of `unitIds`), oldest target first;
 * no scope check (for the system: notices, reports).
 */
export async function listOverdueActions(
  db: Queryable,
  input: { asOf: Date; unitIds?: string[] },
): Promise<OverdueAction[]> {
  if (input.unitIds && input.unitIds.length === 0) return []
  const today = jakartaDate(input.asOf)
  return db
    .select({
      id: actions.id,
      unitId: actions.unitId,
      unitCode: units.code,
      unitName: units.name,
      periodId: actions.periodId,
      periodCode: periods.code,
      area: actions.area,
      questionCode: actions.questionCode,
      title: actions.title,
      picName: actions.picName,
      picPrincipalId: actions.picPrincipalId,
      targetDate: actions.targetDate,
      status: actions.status,
    })
    .from(actions)
    .innerJoin(units, eq(units.id, actions.unitId))
    .innerJoin(periods, eq(periods.id, actions.periodId))
    .where(
      and(
        inArray(actions.status, [...OPEN_STATUSES]),
        lt(actions.targetDate, today),
        input.unitIds ? inArray(actions.unitId, input.unitIds) : undefined,
      ),
    )
    .orderBy(asc(actions.targetDate), asc(units.code), asc(actions.id))
}

// --- Views, loading and the checks the commands share ---------------------------------------------

/** An action row with its latest realisation (by month). */
export interface ActionWithProgress {
  action: ActionRow
  latestProgress: number | null
  latestMonth: string | null
}

const latestMonthSql = sql<string | null>`(
  select r.month from action_realisations r where r.action_id = "actions"."id" order by r.month desc limit 1)`

const progressColumns = {
  latestProgress: latestProgressSql.mapWith((v) => (v === null ? null : Number(v))),
  latestMonth: latestMonthSql,
}

export function toActionView(row: ActionWithProgress, today: string): ActionView {
  const a = row.action
  return {
    id: a.id,
    unit_id: a.unitId,
    period_id: a.periodId,
    area: a.area,
    area_name: AREA_NAMES[a.area],
    question_code: a.questionCode,
    title: a.title,
    description: a.description,
    pic: { name: a.picName, principal_id: a.picPrincipalId },
    target_date: a.targetDate,
    expected_output: a.expectedOutput,
    status: a.status,
    cancel_reason: a.cancelReason,
    source: a.source,
    plan: a.source === 'plan' ? { target: a.planTarget, proposed_answer: a.proposedAnswer } : null,
    progress_percent: row.latestProgress,
    latest_month: row.latestMonth,
    overdue: isOverdue(a, today),
    created_by: a.createdByName,
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
    version: a.version,
  }
}

export const toRealisationView = (r: ActionRealisationRow): RealisationView => ({
  month: r.month,
  progress_percent: r.progressPercent,
  narrative: r.narrative,
  evidence: r.evidence,
  recorded_by: { id: r.recordedById, name: r.recordedByName },
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
})

export const toMonitoringNoteView = (n: ActionMonitoringNoteRow): MonitoringNoteView => ({
  id: n.id,
  note: n.note,
  author: { id: n.authorPrincipalId, name: n.authorName, role: n.authorRole },
  created_at: n.createdAt.toISOString(),
})

export const actionNotFound = (id: string): ProblemError =>
  new ProblemError(404, 'action_not_found', msg('actions:not_found', { id }))

/** An action whose unit is in the principal's scope (else 404, like a missing one). */
export async function loadVisibleAction(
  db: Queryable,
  principal: Principal,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<{ action: ActionRow; unit: UnitRow }> {
  const query = db
    .select({ action: actions, unit: units })
    .from(actions)
    .innerJoin(units, eq(units.id, actions.unitId))
    .where(eq(actions.id, id))
  const [row] = opts.forUpdate ? await query.for('update', { of: actions }) : await query
  if (!row || !isUnitInScope(principal, row.unit.path)) throw actionNotFound(id)
  return row
}

export async function withProgress(db: Queryable, action: ActionRow): Promise<ActionWithProgress> {
  const [row] = await db.select(progressColumns).from(actions).where(eq(actions.id, action.id))
  return { action, latestProgress: row?.latestProgress ?? null, latestMonth: row?.latestMonth ?? null }
}

/** An action with its realisations (by month) and monitoring notes (oldest first). */
export async function actionDetail(db: Queryable, action: ActionRow, today: string): Promise<ActionDetail> {
  const [withP, realisations, notes] = await Promise.all([
    withProgress(db, action),
    db
      .select()
      .from(actionRealisations)
      .where(eq(actionRealisations.actionId, action.id))
      .orderBy(asc(actionRealisations.month)),
    db
      .select()
      .from(actionMonitoringNotes)
      .where(eq(actionMonitoringNotes.actionId, action.id))
      .orderBy(asc(actionMonitoringNotes.createdAt), asc(actionMonitoringNotes.id)),
  ])
  return {
    ...toActionView(withP, today),
    realisations: realisations.map(toRealisationView),
    monitoring_notes: notes.map(toMonitoringNoteView),
  }
}

/** Listed by target date (then id); overdue on `today` (a Jakarta date). */
export async function listActions(
  db: Queryable,
  principal: Principal,
  query: ActionListQuery,
  limit: number,
  today: string,
): Promise<{ items: ActionView[]; next_cursor: string | null }> {
  const open = inArray(actions.status, [...OPEN_STATUSES])
  const overdue = and(open, lt(actions.targetDate, today))
  const conditions: (SQL | undefined)[] = [unitScopeCondition(principal, units.path)]
  if (query.unit_id) conditions.push(eq(actions.unitId, query.unit_id))
  if (query.period_id) conditions.push(eq(actions.periodId, query.period_id))
  if (query.area) conditions.push(eq(actions.area, query.area))
  if (query.status?.length) conditions.push(inArray(actions.status, query.status))
  if (query.question_code) conditions.push(eq(actions.questionCode, query.question_code))
  if (query.overdue === true) conditions.push(overdue)
  if (query.overdue === false) conditions.push(sql`not (${overdue})`)
  if (query.cursor) {
    const at = decodeCursor(query.cursor, 'target_date')
    const value = String(at.value)
    conditions.push(or(gt(actions.targetDate, value), and(eq(actions.targetDate, value), gt(actions.id, at.id))))
  }
  const rows = await db
    .select({ action: actions, ...progressColumns })
    .from(actions)
    .innerJoin(units, eq(units.id, actions.unitId))
    .where(and(...conditions))
    .orderBy(asc(actions.targetDate), asc(actions.id))
    .limit(limit + 1)
  const page = finishPage(rows, limit, 'target_date', (r) => ({ value: r.action.targetDate, id: r.action.id }))
  return { items: page.items.map((r) => toActionView(r, today)), next_cursor: page.next_cursor }
}

const ruleProblem = (status: 403 | 409 | 422, rule: string, pointer: string, message: Message): ProblemError =>
  new ProblemError(status, rule, msg('actions:rule_broken', { rule: message }), {
    errors: [{ pointer, rule, message }],
  })

/** The area of an action: the question's (when given), which must agree with the area given. */
export async function resolveArea(
  db: Queryable,
  period: { instrumentVersionId: string },
  input: { area?: AreaCode | undefined; questionCode?: string | null | undefined },
  pointers: { area: string; question: string },
): Promise<AreaCode> {
  if (!input.questionCode) {
    if (!input.area) throw ruleProblem(422, 'area_required', pointers.area, msg('actions:rules.area_required'))
    return input.area
  }
  const def = await loadDefinition(db, period.instrumentVersionId)
  const index = indexTree(def)
  const node = index.byCode.get(input.questionCode)
  if (!node || node.level !== 'question') {
    throw ruleProblem(
      422,
      'question_not_found',
      pointers.question,
      msg('actions:rules.question_not_found', { code: input.questionCode }),
    )
  }
  const area = areaOf(index, node)
  if (!area) {
    if (input.area) return input.area
    throw ruleProblem(
      422,
      'question_without_area',
      pointers.area,
      msg('actions:rules.question_without_area', { code: input.questionCode }),
    )
  }
  if (input.area && input.area !== area) {
    throw ruleProblem(
      422,
      'area_mismatch',
      pointers.area,
      msg('actions:rules.area_mismatch', { code: input.questionCode, actual: area, given: input.area }),
    )
  }
  return area
}

export async function loadPeriodForActions(db: Queryable, periodId: string, pointer = '/body/period_id') {
  await checkPeriodExists(db, periodId, pointer)
  const [period] = await db.select().from(periods).where(eq(periods.id, periodId))
  assertReturned(period, 'select')
  return period
}

export async function checkPicPrincipal(db: Queryable, id: string | null | undefined, pointer: string): Promise<void> {
  if (!id) return
  const [row] = await db.select({ id: principals.id }).from(principals).where(eq(principals.id, id))
  if (!row)
    throw ruleProblem(422, 'pic_principal_not_found', pointer, msg('actions:rules.pic_principal_not_found', { id }))
}

export function checkStatus(to: ActionStatus, reason: string | null | undefined, pointer: string): void {
  const verdict = statusRule(to, reason)
  if (!verdict.ok) throw ruleProblem(422, verdict.rule, pointer, msg(`actions:rules.${verdict.rule}`))
}

/** Evidence items must name an evidence record of the unit, or a url. */
export async function checkEvidence(
  db: Queryable,
  unitId: string,
  items: readonly RealisationEvidence[],
  pointer: string,
): Promise<void> {
  const missing = items.findIndex((e) => !e.evidence_id && !e.url)
  if (missing >= 0) {
    throw ruleProblem(
      422,
      'evidence_source_missing',
      `${pointer}/${missing}`,
      msg('actions:rules.evidence_source_missing'),
    )
  }
  const ids = [...new Set(items.flatMap((e) => (e.evidence_id ? [e.evidence_id] : [])))]
  if (ids.length === 0) return
  const found = new Set(
    (
      await db
        .select({ id: evidence.id })
        .from(evidence)
        .where(and(inArray(evidence.id, ids), eq(evidence.unitId, unitId)))
    ).map((r) => r.id),
  )
  const i = items.findIndex((e) => e.evidence_id !== undefined && !found.has(e.evidence_id))
  if (i >= 0) {
    throw ruleProblem(
      422,
      'evidence_not_found',
      `${pointer}/${i}/evidence_id`,
      msg('actions:rules.evidence_not_found', { id: items[i]?.evidence_id }),
    )
  }
}

/** The open (not cancelled) actions of a unit and period per question code, for the plan's idempotence. */
export async function plannedQuestions(db: Queryable, unitId: string, periodId: string): Promise<Map<string, string>> {
  const rows = await db
    .select({ id: actions.id, code: actions.questionCode })
    .from(actions)
    .where(
      and(
        eq(actions.unitId, unitId),
        eq(actions.periodId, periodId),
        isNotNull(actions.questionCode),
        ne(actions.status, 'cancelled'),
      ),
    )
    .orderBy(asc(actions.createdAt), asc(actions.id))
  const out = new Map<string, string>()
  for (const r of rows) if (r.code && !out.has(r.code)) out.set(r.code, r.id)
  return out
}

/** Overdue and open actions per unit of a period (for the dashboards), over the units matching `unitCondition`. */
export async function actionCountsByUnit(
  db: Queryable,
  periodId: string,
  today: string,
  unitCondition: SQL | undefined,
): Promise<
  {
    unitId: string
    path: string
    total: number
    open: number
    overdue: number
    byStatus: Record<ActionStatus, number>
  }[]
> {
  const rows = await db
    .select({
      unitId: actions.unitId,
      path: units.path,
      status: actions.status,
      n: sql<number>`count(*)::int`,
      overdue: sql<number>`(count(*) filter (where ${actions.targetDate} < ${today}))::int`,
    })
    .from(actions)
    .innerJoin(units, eq(units.id, actions.unitId))
    .where(and(eq(actions.periodId, periodId), unitCondition))
    .groupBy(actions.unitId, units.path, actions.status)
  const byUnit = new Map<
    string,
    {
      unitId: string
      path: string
      total: number
      open: number
      overdue: number
      byStatus: Record<ActionStatus, number>
    }
  >()
  for (const r of rows) {
    const u = byUnit.get(r.unitId) ?? {
      unitId: r.unitId,
      path: r.path,
      total: 0,
      open: 0,
      overdue: 0,
      byStatus: { planned: 0, in_progress: 0, done: 0, cancelled: 0 },
    }
    u.total += r.n
    u.byStatus[r.status] += r.n
    if (OPEN_STATUSES.includes(r.status)) {
      u.open += r.n
      u.overdue += r.overdue
    }
    byUnit.set(r.unitId, u)
  }
  return [...byUnit.values()]
}
