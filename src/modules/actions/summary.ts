import { and, eq, sql } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import { AREA_CODES, type AreaCode } from '../instruments/domain/areas.js'
import { ACTION_STATUSES, type ActionStatus, isOverdue, jakartaDate, tallyArea } from './rules.js'
import { actions } from './tables.js'

export interface ActionPlanAreaSummary {
  area: AreaCode
  total: number
  done: number
  overdue: number
  cancelled: number
  /** mean of each non-cancelled action's latest realisation percent (an action without one counts 0), 0..100, unrounded; null without any non-cancelled action */
  progressPercent: number | null
}

export interface ActionPlanSummary {
  unitId: string
  periodId: string
  /** ISO date (YYYY-MM-DD, Asia/Jakarta) the overdue counts are taken on */
  asOf: string
  total: number
  byStatus: Record<ActionStatus, number>
  overdue: number
  /** the six areas in AREA_CODES order, zeros included */
  areas: ActionPlanAreaSummary[]
}

/** The latest realisation's progress of an action (by month), null when none was recorded. */
export const latestProgressSql = sql<number | null>`(
  select r.progress_percent from action_realisations r
  where r.action_id = "actions"."id" order by r.month desc limit 1)`

/**
 * The state of a unit's action plan for a period, per area perubahan: counts by status, the
 * overdue actions on `asOf` (default now; its date in Asia/Jakarta) and the mean progress. No
 * scope check: the caller has checked that the reader may see the unit.
 */
export async function actionPlanSummary(
  db: Queryable,
  input: { unitId: string; periodId: string; asOf?: Date },
): Promise<ActionPlanSummary> {
  const today = jakartaDate(input.asOf ?? new Date())
  const rows = await db
    .select({
      area: actions.area,
      status: actions.status,
      targetDate: actions.targetDate,
      latestProgress: latestProgressSql.mapWith((v) => (v === null ? null : Number(v))),
    })
    .from(actions)
    .where(and(eq(actions.unitId, input.unitId), eq(actions.periodId, input.periodId)))
  const byStatus = Object.fromEntries(ACTION_STATUSES.map((s) => [s, 0])) as Record<ActionStatus, number>
  for (const row of rows) byStatus[row.status] += 1
  return {
    unitId: input.unitId,
    periodId: input.periodId,
    asOf: today,
    total: rows.length,
    byStatus,
    overdue: rows.filter((r) => isOverdue(r, today)).length,
    areas: AREA_CODES.map((area) => tallyArea(area, rows, today)),
  }
}
