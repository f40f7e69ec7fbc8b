import type { RuleViolation } from '../../lib/rule-violation.js'
import type { StoredWindow, StoredWindows, WindowName } from './tables.js'
import { type Message, msg } from '../../lib/i18n.js'

/**
 * Period rules as plain functions (no database, no clock of their own: `now` is passed in).
 */

export const WINDOW_STATES = ['not_scheduled', 'upcoming', 'open', 'reopened', 'closed'] as const
export type WindowStateName = (typeof WINDOW_STATES)[number]

export interface WindowStatus {
  window: WindowName
  state: WindowStateName
  /** true for `open` and `reopened` */
  open: boolean
  opens_at: string | null
  closes_at: string | null
  reopened_until: string | null
}

/**
 * Where a period's window stands at `now`. A window is open from `opens_at` (inclusive) to
 * `closes_at` (exclusive). An active reopen (`reopened_until` after now) overrides a closed or
 * not-yet-open schedule: the window is `reopened` until then.
 */
export function windowState(period: { windows: StoredWindows }, windowName: WindowName, now: Date): WindowStatus {
  const w: StoredWindow | undefined = period.windows[windowName]
  if (!w)
    return {
      window: windowName,
      state: 'not_scheduled',
      open: false,
      opens_at: null,
      closes_at: null,
      reopened_until: null,
    }
  const t = now.getTime()
  const opens = Date.parse(w.opens_at)
  const closes = Date.parse(w.closes_at)
  const reopenedUntil = w.reopened_until ? Date.parse(w.reopened_until) : null
  const base = {
    window: windowName,
    opens_at: w.opens_at,
    closes_at: w.closes_at,
    reopened_until: w.reopened_until ?? null,
  }
  if (t >= opens && t < closes) return { ...base, state: 'open', open: true }
  if (reopenedUntil !== null && t < reopenedUntil) return { ...base, state: 'reopened', open: true }
  return { ...base, state: t < opens ? 'upcoming' : 'closed', open: false }
}

/** A window must close after it opens. */
export function checkWindow(
  name: WindowName,
  w: { opens_at: string; closes_at: string },
  pointerBase = '/body/windows',
): RuleViolation | null {
  if (Date.parse(w.closes_at) <= Date.parse(w.opens_at)) {
    return {
      status: 422,
      code: 'invalid_window',
      pointer: `${pointerBase}/${name}/closes_at`,
      message: msg('periods:rules.invalid_window', { name, closes_at: w.closes_at, opens_at: w.opens_at }),
    }
  }
  return null
}

/** A reopen must last into the future. */
export function checkReopenUntil(until: string, now: Date): RuleViolation | null {
  if (Date.parse(until) <= now.getTime()) {
    return {
      status: 422,
      code: 'invalid_reopen',
      pointer: '/body/until',
      message: msg('periods:rules.invalid_reopen', { until, now: now.toISOString() }),
    }
  }
  return null
}

/** A reopened window as stored: the schedule stays, the override is added. */
export function reopened(w: StoredWindow, until: string, reason: string, by: string | null, now: Date): StoredWindow {
  return {
    ...w,
    reopened_until: new Date(until).toISOString(),
    reopen_reason: reason,
    reopened_at: now.toISOString(),
    reopened_by: by,
  }
}

/** ISO 8601 in UTC with milliseconds: how window timestamps are stored and shown. */
export const normaliseInstant = (value: string): string => new Date(value).toISOString()

/** Human-readable sentence for a window that is not open (used in 422 window_closed). */
export function describeClosed(periodCode: string, s: WindowStatus): Message {
  const at = { window: s.window, period: periodCode, opens_at: s.opens_at, closes_at: s.closes_at }
  switch (s.state) {
    case 'not_scheduled':
      return msg('periods:window.not_scheduled', { window: s.window, period: periodCode })
    case 'upcoming':
      return msg('periods:window.upcoming', at)
    default:
      return s.reopened_until
        ? msg('periods:window.closed_reopened', { ...at, reopened_until: s.reopened_until })
        : msg('periods:window.closed', at)
  }
}
