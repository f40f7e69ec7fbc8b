import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Role } from '../../lib/policy.js'
import { STAGE_RULES, isWritable, windowFor, type StageKind, type StageStatus } from '../assessments/rules.js'

/**
 * Notices as plain data and functions (no Fastify, no database, no clock of their own: `now` is
 * passed in). Who receives what, when a reminder is due, the digest hour, the unsubscribe token.
 */

/**
 * | kind | when | to |
 * |---|---|---|
 * | window.opened | a period's window opens | the writers of the stages that window governs (below) |
 * | window.closing | 7, 3 and 1 days before it closes (Asia/Jakarta days) | the same, while their stages are still writable |
 * | stage.submitted | a stage is submitted | its reviewers in scope (the TPI for a self-assessment; admins otherwise) |
 * | stage.returned | a stage is returned for revision | its writers in scope (the unit's operators for a self-assessment), with the reason and the comments |
 * | stage.approved | a stage is approved | its writers in scope |
 * | proposal.made | the instansi proposes the unit | the unit's operators and the TPI in scope |
 * | proposal.refused | the TPN's administrative selection (or sanggah) ends it | the same |
 * | proposal.outcome | the national outcome (designated, not designated, revoked) | the same |
 * | action.overdue | an action of the rencana aksi passes its target date unfinished (Jakarta day) | its PIC (when a person) and the unit's operators |
 */
export const NOTICE_KINDS = [
  'window.opened',
  'window.closing',
  'stage.submitted',
  'stage.returned',
  'stage.approved',
  'proposal.made',
  'proposal.refused',
  'proposal.outcome',
  'action.overdue',
] as const
export type NoticeKind = (typeof NOTICE_KINDS)[number]
export const isNoticeKind = (k: string): k is NoticeKind => (NOTICE_KINDS as readonly string[]).includes(k)

export const NOTICE_STATUSES = ['pending', 'sent', 'failed', 'skipped'] as const
export type NoticeStatus = (typeof NOTICE_STATUSES)[number]

export const DELIVERIES = ['immediate', 'digest'] as const
export type Delivery = (typeof DELIVERIES)[number]

/** Reminders before a window closes, in days. */
export const REMINDER_DAYS = [7, 3, 1] as const
/** A window that opened longer ago than this gets no "opened" notice any more (a worker started late). */
export const OPENED_NOTICE_WITHIN_MS = 2 * 86_400_000
/** Events older than this when first scanned make no notice (a worker switched on after months off). */
export const EVENT_NOTICE_WITHIN_MS = 3 * 86_400_000

/** Asia/Jakarta (WIB) is UTC+7 all year. */
const JAKARTA_OFFSET_MS = 7 * 3_600_000
const DAY_MS = 86_400_000

/** The calendar day in Jakarta of an instant, as YYYY-MM-DD. */
export const jakartaDay = (at: Date): string => new Date(at.getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 10)

/** Whole Jakarta calendar days from `now`'s day to `at`'s day (0: the same day). */
export function jakartaDaysBetween(now: Date, at: Date): number {
  return Math.round((Date.parse(jakartaDay(at)) - Date.parse(jakartaDay(now))) / DAY_MS)
}

export type ReminderOccasion = `${(typeof REMINDER_DAYS)[number]}d`

/**
 * The reminder due at `now` for a window closing at `closesAt`: '7d' from 7 Jakarta days before
 * its closing day, '3d' from 3, '1d' from 1 (and on the closing day itself, before it closes).
 * A reminder that was missed (the worker down that day) is replaced by the next one, never sent
 * late on top of it: the occasion names the closest threshold not yet passed. Null when the
 * window is more than 7 days from closing, or closed.
 */
export function closingOccasion(now: Date, closesAt: Date): ReminderOccasion | null {
  if (now.getTime() >= closesAt.getTime()) return null
  const days = jakartaDaysBetween(now, closesAt)
  for (const d of [...REMINDER_DAYS].reverse()) if (days <= d) return `${d}d`
  return null
}

/** An instant as people in Jakarta read it: `2026-05-31 23:59 WIB`. */
export const jakartaTime = (at: Date): string =>
  `${new Date(at.getTime() + JAKARTA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ')} WIB`

/** Whether a window opened at `opensAt` is worth an "opened" notice at `now` (open, and opened recently). */
export function isFreshlyOpened(now: Date, opensAt: Date, closesAt: Date): boolean {
  const t = now.getTime()
  return t >= opensAt.getTime() && t < closesAt.getTime() && t - opensAt.getTime() < OPENED_NOTICE_WITHIN_MS
}

/** The next digest time after `now`: `hour`:00 in Jakarta, today if still ahead, else tomorrow. */
export function nextDigestAt(now: Date, hour: number): Date {
  const day = jakartaDay(now)
  const today = Date.parse(`${day}T00:00:00.000Z`) - JAKARTA_OFFSET_MS + hour * 3_600_000
  return new Date(today > now.getTime() ? today : today + DAY_MS)
}

/** Who a notice about a stage's writers or reviewers goes to: the unit operator or the TPI named, else the admins. */
export function audienceRole(roles: readonly Role[]): Role {
  return roles.find((r) => r === 'unit_operator' || r === 'evaluator') ?? 'admin'
}

/** The role a stage event's notice goes to (scoped to the stage's unit). */
export function stageAudience(kind: StageKind, to: 'submitted' | 'returned' | 'approved'): Role {
  return audienceRole(to === 'submitted' ? STAGE_RULES[kind].reviewers : STAGE_RULES[kind].writers)
}

/**
 * Who a window's reminder concerns for one stage: the stage's writers while it is writable in
 * that window (a draft in its own window, a returned stage in the revision window). Null when the
 * stage has nothing to do in that window.
 */
export function windowAudience(window: string, kind: StageKind, status: StageStatus): Role | null {
  if (!isWritable(status) || windowFor(kind, status) !== window) return null
  return audienceRole(STAGE_RULES[kind].writers)
}

/** The roles a proposal's notices go to (scoped to the unit). */
export const PROPOSAL_AUDIENCE: readonly Role[] = ['unit_operator', 'evaluator']
/** The role an overdue action's notice goes to, besides its PIC (scoped to the action's unit). */
export const OVERDUE_ACTION_AUDIENCE: Role = 'unit_operator'

/** The proposal window is the instansi's: its reminders go to the admins (the Bagian Organisasi). */
export const PROPOSAL_WINDOW_AUDIENCE: Role = 'admin'

/** The notice kind of a change-feed event, or null when it makes none. */
export function noticeKindOf(type: string, data: Record<string, unknown>): NoticeKind | null {
  switch (type) {
    case 'stage.submitted':
    case 'stage.returned':
    case 'stage.approved':
      return type
    case 'declaration.transitioned': {
      if (data.reason === 'proposed') return 'proposal.made'
      if (data.to === 'not_designated' && data.from === 'proposed') return 'proposal.refused'
      if (data.to === 'designated' || data.to === 'not_designated' || data.to === 'revoked') return 'proposal.outcome'
      return null
    }
    default:
      return null
  }
}

// ---------------------------------------------------------------------------------------------
// Unsubscribe links: `<payload>.<signature>`, payload = base64url("<principal id> <kind>"), the
// signature an HMAC-SHA256 with the person's own secret. `*` as kind stops every notice.

export const ALL_KINDS = '*'

const sign = (secret: string, payload: string): string =>
  createHmac('sha256', secret).update(payload).digest('base64url')

export function unsubscribeToken(secret: string, principalId: string, kind: string): string {
  const payload = Buffer.from(`${principalId} ${kind}`).toString('base64url')
  return `${payload}.${sign(secret, payload)}`
}

/** The claim of a token (not yet verified: `verifyUnsubscribe` with the person's secret), or null when malformed. */
export function readUnsubscribeToken(token: string): { principalId: string; kind: string; payload: string } | null {
  const [payload, signature, extra] = token.split('.')
  if (!payload || !signature || extra !== undefined) return null
  const [principalId, kind, more] = Buffer.from(payload, 'base64url').toString('utf8').split(' ')
  if (!principalId || !kind || more !== undefined) return null
  if (!/^[0-9a-f-]{36}$/.test(principalId) || (kind !== ALL_KINDS && !isNoticeKind(kind))) return null
  return { principalId, kind, payload }
}

export function verifyUnsubscribe(secret: string, token: string): boolean {
  const [payload, signature] = token.split('.')
  if (!payload || !signature) return false
  const expected = Buffer.from(sign(secret, payload))
  const given = Buffer.from(signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/** The kinds muted after unsubscribing from `kind` (every kind for `*`). */
export function muteKind(muted: readonly string[], kind: string): string[] {
  const next = kind === ALL_KINDS ? [...NOTICE_KINDS] : [...muted, kind]
  return [...new Set(next)].sort()
}

/** What follows a failed mail: retried later, or given up after the last attempt. */
export const afterFailure = (attempt: number, maxAttempts: number): 'retry' | 'failed' =>
  attempt >= maxAttempts ? 'failed' : 'retry'

/** Whether SMTP is configured: notices are made and mailed only then. */
export const smtpConfigured = (c: { SMTP_URL?: string | undefined; SMTP_HOST?: string | undefined }): boolean =>
  Boolean(c.SMTP_URL || c.SMTP_HOST)
