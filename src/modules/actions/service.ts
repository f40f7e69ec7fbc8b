import { and, asc, eq, inArray, lt } from 'drizzle-orm'
import type { Queryable } from '../../db/connection.js'
import type { AreaCode } from '../instruments/domain/areas.js'
import { periods } from '../periods/tables.js'
import { units } from '../units/tables.js'
import { type ActionStatus, OPEN_STATUSES, jakartaDate } from './rules.js'
import { actions } from './tables.js'

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
