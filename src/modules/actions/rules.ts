/**
 * Rencana aksi: the pure rules of a unit's actions (no Fastify, no database).
 *
 * An action is planned, in progress, done or cancelled (cancelling needs a reason). It is overdue
 * when its target date has passed — the day after it has begun in Asia/Jakarta (WIB), the
 * programme's calendar — and it is neither done nor cancelled.
 */
import type { AreaCode } from '../instruments/domain/areas.js'

export const ACTION_STATUSES = ['planned', 'in_progress', 'done', 'cancelled'] as const
export type ActionStatus = (typeof ACTION_STATUSES)[number]

/** Where an action came from: written by hand, or proposed from an improvement plan's step. */
export const ACTION_SOURCES = ['manual', 'plan'] as const
export type ActionSource = (typeof ACTION_SOURCES)[number]

/** The statuses that still owe work (and so can be overdue). */
export const OPEN_STATUSES: readonly ActionStatus[] = ['planned', 'in_progress']

/** The time zone the programme's dates are read in (target dates, "today"). */
export const ACTION_TIME_ZONE = 'Asia/Jakarta'

/** The calendar date (YYYY-MM-DD) of an instant in Asia/Jakarta. */
export function jakartaDate(at: Date): string {
  // en-CA formats as YYYY-MM-DD
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: ACTION_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at)
}

/** Overdue on `today` (a Jakarta date): the target date is before today and the action is still open. */
export function isOverdue(action: { status: ActionStatus; targetDate: string }, today: string): boolean {
  return OPEN_STATUSES.includes(action.status) && action.targetDate < today
}

/** A realisation month, YYYY-MM (01–12). */
export const MONTH_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$'

export interface ActionLike {
  area: AreaCode
  status: ActionStatus
  targetDate: string
  /** the latest realisation's progress (by month), null when none was recorded */
  latestProgress: number | null
}

export interface AreaTally {
  area: AreaCode
  total: number
  done: number
  overdue: number
  cancelled: number
  /** mean of the non-cancelled actions' latest progress (none recorded counts 0); null without any */
  progressPercent: number | null
}

/** The tally of one area's actions on `today`. */
export function tallyArea(area: AreaCode, actions: readonly ActionLike[], today: string): AreaTally {
  const mine = actions.filter((a) => a.area === area)
  const live = mine.filter((a) => a.status !== 'cancelled')
  return {
    area,
    total: mine.length,
    done: mine.filter((a) => a.status === 'done').length,
    overdue: mine.filter((a) => isOverdue(a, today)).length,
    cancelled: mine.length - live.length,
    progressPercent: live.length === 0 ? null : live.reduce((s, a) => s + (a.latestProgress ?? 0), 0) / live.length,
  }
}

/** Status changes: cancelling needs a reason; leaving cancelled drops it. */
export function statusRule(
  to: ActionStatus,
  reason: string | null | undefined,
): { ok: true } | { ok: false; rule: 'cancel_reason_required' | 'cancel_reason_without_cancel' } {
  const given = reason !== undefined && reason !== null && reason.trim() !== ''
  if (to === 'cancelled' && !given) return { ok: false, rule: 'cancel_reason_required' }
  if (to !== 'cancelled' && given) return { ok: false, rule: 'cancel_reason_without_cancel' }
  return { ok: true }
}
