import { and, asc, desc, eq, gt, inArray, lt, or, sql, type SQL } from 'drizzle-orm'
import { queryRows, type Db, type Queryable } from '../../db/connection.js'
import { decodeCursor, finishPage } from '../../lib/pagination.js'
import type { Role } from '../../lib/policy.js'
import { listOverdueActions } from '../actions/service.js'
import type { StageKind, StageStatus } from '../assessments/rules.js'
import { assessmentStages, assessments, questionComments } from '../assessments/tables.js'
import { principals } from '../auth/tables.js'
import { events, type EventRow } from '../events/tables.js'
import { windowState } from '../periods/rules.js'
import { WINDOW_NAMES, periods, type PeriodRow, type WindowName } from '../periods/tables.js'
import { AREA_NAMES } from '../instruments/domain/areas.js'
import { units } from '../units/tables.js'
import {
  EVENT_NOTICE_WITHIN_MS,
  OVERDUE_ACTION_AUDIENCE,
  PROPOSAL_AUDIENCE,
  PROPOSAL_WINDOW_AUDIENCE,
  closingOccasion,
  isFreshlyOpened,
  jakartaDaysBetween,
  nextDigestAt,
  noticeKindOf,
  stageAudience,
  windowAudience,
  type NoticeKind,
  type NoticeStatus,
} from './rules.js'
import {
  noticeAttempts,
  noticeCursor,
  noticePreferences,
  notices,
  type NoticePreferencesRow,
  type NoticeRow,
} from './tables.js'

/** A notice to create: unique by (kind, subject, recipient, occasion). */
export interface NoticeDraft {
  kind: NoticeKind
  recipientId: string
  subjectType: string
  subjectId: string
  occasion: string
  eventId?: number | null
  unitId?: string | null
  periodId?: string | null
  params: Record<string, unknown>
  link: string | null
}

// ---------------------------------------------------------------------------------------------
// Who: the persons holding a role over some units

/**
 * The persons (principals of kind user, not disabled) holding `role` on each of `unitIds`: a grant
 * on the unit, on an ancestor, or on every unit. Returns person → the units among `unitIds` they hold it on.
 */
export async function holdersOf(db: Queryable, role: Role, unitIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  if (unitIds.length === 0) return out
  const rows = await queryRows<{ principal_id: string; unit_id: string }>(
    db,
    sql`select distinct p.id as principal_id, u.id as unit_id
      from principals p
      join role_grants g on g.principal_id = p.id
      left join units gu on gu.id = g.unit_id
      join units u on u.id in (${sql.join(
        unitIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )}) and (g.unit_id is null or u.path like gu.path || '%')
      where p.kind = 'user' and p.disabled_at is null and g.role = ${role}
      order by 1, 2`,
  )
  for (const r of rows) out.set(r.principal_id, [...(out.get(r.principal_id) ?? []), r.unit_id])
  return out
}

/** Every admin person (admins hold no unit: the whole tree is theirs). */
async function admins(db: Queryable): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select distinct p.id from principals p join role_grants g on g.principal_id = p.id
      where p.kind = 'user' and p.disabled_at is null and g.role = 'admin' order by 1`,
  )
  return rows.map((r) => r.id)
}

// ---------------------------------------------------------------------------------------------
// Preferences

/** The person's preferences as they stand (the defaults when they have no row yet), without writing. */
export async function readPreferences(
  db: Queryable,
  principalId: string,
): Promise<Pick<NoticePreferencesRow, 'principalId' | 'language' | 'delivery' | 'mutedKinds'>> {
  const [row] = await db.select().from(noticePreferences).where(eq(noticePreferences.principalId, principalId))
  return row ?? { principalId, language: 'id', delivery: 'immediate', mutedKinds: [] }
}

/** The person's preferences row, created with the defaults when they have none yet. */
export async function ensurePreferences(db: Queryable, principalId: string): Promise<NoticePreferencesRow> {
  await db.insert(noticePreferences).values({ principalId }).onConflictDoNothing()
  const [row] = await db.select().from(noticePreferences).where(eq(noticePreferences.principalId, principalId))
  if (!row) throw new Error(`no notice preferences for ${principalId}`)
  return row
}

// ---------------------------------------------------------------------------------------------
// Creating notices

export interface CreateSettings {
  digestHour: number
}

/**
 * Inserts the drafts (a draft already there, from another replica or an earlier round, adds
 * nothing), leaving out the kinds each recipient unsubscribed from; a notice of a person who
 * chose the digest waits for the next digest hour. Returns how many were new.
 */
export async function createNotices(
  db: Queryable,
  drafts: readonly NoticeDraft[],
  now: Date,
  settings: CreateSettings,
): Promise<number> {
  if (drafts.length === 0) return 0
  // Leave out what exists already (reminders and overdue actions are proposed on every round).
  const keyOf = (d: Pick<NoticeDraft, 'kind' | 'subjectType' | 'subjectId' | 'recipientId' | 'occasion'>) =>
    [d.kind, d.subjectType, d.subjectId, d.recipientId, d.occasion].join('|')
  const existing = new Set(
    (
      await db
        .select({
          kind: notices.kind,
          subjectType: notices.subjectType,
          subjectId: notices.subjectId,
          recipientId: notices.recipientId,
          occasion: notices.occasion,
        })
        .from(notices)
        .where(inArray(notices.subjectId, [...new Set(drafts.map((d) => d.subjectId))]))
    ).map((n) => keyOf(n as NoticeDraft)),
  )
  const fresh = drafts.filter((d) => !existing.has(keyOf(d)))
  if (fresh.length === 0) return 0
  const prefs = new Map<string, NoticePreferencesRow>()
  for (const id of new Set(fresh.map((d) => d.recipientId))) prefs.set(id, await ensurePreferences(db, id))
  const rows = fresh.flatMap((d) => {
    const p = prefs.get(d.recipientId)
    if (!p || p.mutedKinds.includes(d.kind)) return []
    const digest = p.delivery === 'digest'
    return [
      {
        kind: d.kind,
        recipientId: d.recipientId,
        subjectType: d.subjectType,
        subjectId: d.subjectId,
        occasion: d.occasion,
        eventId: d.eventId ?? null,
        unitId: d.unitId ?? null,
        periodId: d.periodId ?? null,
        params: d.params,
        link: d.link,
        digest,
        nextAttemptAt: digest ? nextDigestAt(now, settings.digestHour) : now,
        createdAt: now,
      },
    ]
  })
  if (rows.length === 0) return 0
  const inserted = await db.insert(notices).values(rows).onConflictDoNothing().returning({ id: notices.id })
  return inserted.length
}

// ---------------------------------------------------------------------------------------------
// Notices from the change feed

const unitNames = async (db: Queryable, ids: readonly string[]): Promise<Map<string, string>> => {
  if (ids.length === 0) return new Map()
  const rows = await db
    .select({ id: units.id, name: units.name })
    .from(units)
    .where(inArray(units.id, [...ids]))
  return new Map(rows.map((r) => [r.id, r.name]))
}

const periodCode = async (db: Queryable, id: string | null): Promise<string> => {
  if (!id) return ''
  const [row] = await db.select({ code: periods.code }).from(periods).where(eq(periods.id, id))
  return row?.code ?? ''
}

/** The comments a reviewer left with a return: those on the stage since it was last submitted. */
async function returnComments(db: Queryable, e: EventRow, stageId: string): Promise<string[]> {
  const [since] = await queryRows<{ at: string | null }>(
    db,
    sql`select max(occurred_at)::text as at from events
      where subject_type = 'assessment_stage' and subject_id = ${stageId} and type = 'stage.submitted' and id < ${e.id}`,
  )
  const rows = await db
    .select({ code: questionComments.questionCode, body: questionComments.body })
    .from(questionComments)
    .where(
      and(
        eq(questionComments.stageId, stageId),
        sql`${questionComments.createdAt} <= ${e.occurredAt.toISOString()}::timestamptz`,
        since?.at ? sql`${questionComments.createdAt} >= ${since.at}::timestamptz` : undefined,
      ),
    )
    .orderBy(asc(questionComments.questionCode), asc(questionComments.createdAt))
  return rows.map((r) => `- ${r.code}: ${r.body}`)
}

/** The notices one change-feed event makes (none for most events). */
export async function draftsForEvent(db: Queryable, e: EventRow): Promise<NoticeDraft[]> {
  const kind = noticeKindOf(e.type, e.data)
  if (!kind || !e.unitId) return []
  const names = await unitNames(db, [e.unitId])
  const base = {
    kind,
    eventId: e.id,
    occasion: String(e.id),
    unitId: e.unitId,
    periodId: e.periodId,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
  }
  const common = { unit: names.get(e.unitId) ?? '', period: await periodCode(db, e.periodId) }
  if (kind === 'stage.submitted' || kind === 'stage.returned' || kind === 'stage.approved') {
    const stage = e.data.stage as StageKind
    const to = kind.slice('stage.'.length) as 'submitted' | 'returned' | 'approved'
    const holders = await holdersOf(db, stageAudience(stage, to), [e.unitId])
    const params: Record<string, unknown> = { ...common, stage }
    if (kind === 'stage.returned') {
      params.reason = typeof e.data.reason === 'string' ? e.data.reason : ''
      params.comments = await returnComments(db, e, String(e.data.stage_id ?? e.subjectId))
    }
    const link = e.assessmentId ? `/v1/assessments/${e.assessmentId}` : null
    return [...holders.keys()].map((recipientId) => ({ ...base, recipientId, params, link }))
  }
  // proposals
  const recipients = new Set<string>()
  for (const role of PROPOSAL_AUDIENCE)
    for (const id of (await holdersOf(db, role, [e.unitId])).keys()) recipients.add(id)
  const params = { ...common, target: e.data.target ?? '', outcome: e.data.to ?? '' }
  const link = `/v1/declarations/${e.subjectId}/proposal`
  return [...recipients].sort().map((recipientId) => ({ ...base, recipientId, params, link }))
}

/**
 * Turns the change-feed events after the cursor into notices, in the transaction that moves the
 * cursor: each event is read once across replicas (the cursor row is locked; a replica finding
 * it locked skips the round). Event ids follow commit order, so none is passed over. Returns how
 * many events were read, or null when another replica holds the cursor.
 */
export async function scanEvents(
  db: Db,
  now: Date,
  settings: CreateSettings & { batch?: number },
): Promise<{ events: number; notices: number } | null> {
  return db.transaction(async (tx) => {
    const [cursor] = await queryRows<{ last_event_id: string }>(
      tx,
      sql`select last_event_id::text as last_event_id from notice_cursor where id for update skip locked`,
    )
    if (!cursor) return null
    const rows = await tx
      .select()
      .from(events)
      .where(gt(events.id, Number(cursor.last_event_id)))
      .orderBy(asc(events.id))
      .limit(settings.batch ?? 200)
    if (rows.length === 0) return { events: 0, notices: 0 }
    let made = 0
    for (const e of rows) {
      if (now.getTime() - e.occurredAt.getTime() > EVENT_NOTICE_WITHIN_MS) continue
      made += await createNotices(tx, await draftsForEvent(tx, e), now, settings)
    }
    const last = rows[rows.length - 1] as EventRow
    await tx.update(noticeCursor).set({ lastEventId: last.id }).where(eq(noticeCursor.id, true))
    return { events: rows.length, notices: made }
  })
}

// ---------------------------------------------------------------------------------------------
// Reminders of the windows

const MAX_UNITS_LISTED = 30

/** Who a window of a period concerns now: person → the units they have work to do for in it. */
async function windowRecipients(db: Queryable, period: PeriodRow, window: WindowName): Promise<Map<string, string[]>> {
  if (window === 'proposal') {
    if (PROPOSAL_WINDOW_AUDIENCE !== 'admin') throw new Error('the proposal window reminds the admins')
    return new Map((await admins(db)).map((id) => [id, []]))
  }
  const stages = await db
    .select({ unitId: assessments.unitId, kind: assessmentStages.kind, status: assessmentStages.status })
    .from(assessmentStages)
    .innerJoin(assessments, eq(assessments.id, assessmentStages.assessmentId))
    .where(and(eq(assessments.periodId, period.id), inArray(assessmentStages.status, ['draft', 'returned'])))
  const byRole = new Map<Role, Set<string>>()
  for (const s of stages) {
    const role = windowAudience(window, s.kind as StageKind, s.status as StageStatus)
    if (role) byRole.set(role, (byRole.get(role) ?? new Set()).add(s.unitId))
  }
  const out = new Map<string, string[]>()
  for (const [role, unitIds] of byRole)
    for (const [person, held] of await holdersOf(db, role, [...unitIds]))
      out.set(person, [...new Set([...(out.get(person) ?? []), ...held])])
  return out
}

/**
 * The time-based notices due at `now`: a window opened (in the last two days), and 7, 3 and 1
 * days (Jakarta) before it closes, to the people with work still to do in it. Every replica may
 * run it: a notice is unique by (kind, subject, recipient, occasion), so each is made once. A
 * window whose closing is moved (or reopened) is a new subject and is reminded again.
 */
export async function createReminders(db: Db, now: Date, settings: CreateSettings): Promise<number> {
  const rows = await db.select().from(periods)
  let made = 0
  for (const period of rows) {
    for (const window of WINDOW_NAMES) {
      const w = period.windows[window]
      if (!w) continue
      const state = windowState(period, window, now)
      if (!state.open) continue
      const closes = state.state === 'reopened' && w.reopened_until ? w.reopened_until : w.closes_at
      const opened = state.state === 'open' && isFreshlyOpened(now, new Date(w.opens_at), new Date(w.closes_at))
      const occasion = closingOccasion(now, new Date(closes))
      if (!opened && !occasion) continue
      const recipients = await windowRecipients(db, period, window)
      if (recipients.size === 0) continue
      const names = await unitNames(db, [...new Set([...recipients.values()].flat())])
      const drafts: NoticeDraft[] = []
      for (const [recipientId, unitIds] of recipients) {
        const listed = unitIds
          .map((id) => names.get(id) ?? id)
          .sort()
          .slice(0, MAX_UNITS_LISTED)
        const params = {
          period: period.code,
          window,
          opens: w.opens_at,
          closes,
          units: listed,
          more_units: Math.max(0, unitIds.length - listed.length),
          days: jakartaDaysBetween(now, new Date(closes)),
        }
        const link = `/v1/periods/${period.id}`
        const common = { recipientId, periodId: period.id, link }
        if (opened)
          drafts.push({
            ...common,
            kind: 'window.opened',
            subjectType: 'period_window',
            subjectId: `${period.id}:${window}:${w.opens_at}`,
            occasion: 'opened',
            params,
          })
        if (occasion)
          drafts.push({
            ...common,
            kind: 'window.closing',
            subjectType: 'period_window',
            subjectId: `${period.id}:${window}:${closes}`,
            occasion,
            params: { ...params, occasion },
          })
      }
      await db.transaction(async (tx) => {
        made += await createNotices(tx, drafts, now, settings)
      })
    }
  }
  return made
}

/**
 * An action of the rencana aksi past its target date (the Jakarta day) and not done: one notice
 * to its PIC (when the PIC is a person) and the unit's operators, once per action and target
 * date (a target moved and missed again is reminded again).
 */
export async function createOverdueActionNotices(db: Db, now: Date, settings: CreateSettings): Promise<number> {
  const overdue = await listOverdueActions(db, { asOf: now })
  if (overdue.length === 0) return 0
  const drafts: NoticeDraft[] = []
  const unitIds = [...new Set(overdue.map((a) => a.unitId))]
  const operators = await holdersOf(db, OVERDUE_ACTION_AUDIENCE, unitIds)
  const byUnit = new Map<string, string[]>()
  for (const [person, held] of operators) for (const u of held) byUnit.set(u, [...(byUnit.get(u) ?? []), person])
  const pics = overdue.flatMap((a) => (a.picPrincipalId ? [a.picPrincipalId] : []))
  const persons =
    pics.length === 0
      ? new Set<string>()
      : new Set(
          (
            await db
              .select({ id: principals.id })
              .from(principals)
              .where(
                and(inArray(principals.id, pics), eq(principals.kind, 'user'), sql`${principals.disabledAt} is null`),
              )
          ).map((p) => p.id),
        )
  for (const a of overdue) {
    const recipients = new Set(byUnit.get(a.unitId) ?? [])
    if (a.picPrincipalId && persons.has(a.picPrincipalId)) recipients.add(a.picPrincipalId)
    const params = {
      unit: a.unitName,
      period: a.periodCode,
      title: a.title,
      area: AREA_NAMES[a.area] ?? a.area,
      target_date: a.targetDate,
      pic: a.picName,
    }
    for (const recipientId of [...recipients].sort())
      drafts.push({
        kind: 'action.overdue',
        recipientId,
        subjectType: 'action',
        subjectId: a.id,
        occasion: `overdue:${a.targetDate}`,
        unitId: a.unitId,
        periodId: a.periodId,
        params,
        link: `/v1/actions/${a.id}`,
      })
  }
  return db.transaction((tx) => createNotices(tx, drafts, now, settings))
}

// ---------------------------------------------------------------------------------------------
// Delivery

/**
 * Claims the due notices of up to `recipients` persons: each person's preferences row is locked
 * FOR UPDATE SKIP LOCKED, so two replicas never mail the same person's notices (nor split a
 * digest), and a lease (next_attempt_at pushed past the send) is committed at once, so the SMTP
 * exchange runs outside any transaction. A replica that dies mid-send leaves its notices to be
 * claimed again when the lease ends.
 */
export async function claimDue(db: Queryable, now: Date, leaseMs: number, recipients: number): Promise<NoticeRow[]> {
  const at = now.toISOString()
  const claimed = await queryRows<{ id: string }>(
    db,
    sql`with who as (
      select p.principal_id from notice_preferences p
      where exists (select 1 from notices n
        where n.recipient_id = p.principal_id and n.status = 'pending' and n.next_attempt_at <= ${at}::timestamptz)
      order by p.principal_id
      limit ${recipients}
      for update of p skip locked
    )
    update notices n
      set attempts = n.attempts + 1, last_attempt_at = ${at}::timestamptz,
        next_attempt_at = ${at}::timestamptz + make_interval(secs => ${leaseMs / 1000})
    from who
    where n.recipient_id = who.principal_id and n.status = 'pending' and n.next_attempt_at <= ${at}::timestamptz
    returning n.id`,
  )
  if (claimed.length === 0) return []
  return db
    .select()
    .from(notices)
    .where(
      inArray(
        notices.id,
        claimed.map((c) => c.id),
      ),
    )
    .orderBy(asc(notices.recipientId), asc(notices.createdAt), asc(notices.eventId), asc(notices.id))
}

/** A person as a mail goes to them. */
export interface Recipient {
  id: string
  name: string
  email: string | null
  disabled: boolean
  preferences: NoticePreferencesRow
}

export async function loadRecipient(db: Queryable, principalId: string): Promise<Recipient | null> {
  const [p] = await db.select().from(principals).where(eq(principals.id, principalId))
  if (!p) return null
  return {
    id: p.id,
    name: p.name,
    email: p.email,
    disabled: p.disabledAt !== null,
    preferences: await ensurePreferences(db, p.id),
  }
}

export interface AttemptOutcome {
  /** null: the mail was accepted */
  error: string | null
  messageId: string | null
  /** when the error is not worth a retry (no address, unsubscribed) */
  final?: NoticeStatus
}

/**
 * Records one attempt for each notice of a mail and moves it on: sent, retried after
 * `retryInMs`, failed after the last attempt, or skipped. A notice re-claimed by another replica
 * meanwhile (its lease had ended) is left to that one.
 */
export async function recordAttempt(
  db: Db,
  claimed: readonly Pick<NoticeRow, 'id' | 'attempts'>[],
  outcome: AttemptOutcome,
  opts: { now: Date; retryInMs: number; maxAttempts: number },
): Promise<void> {
  await db.transaction(async (tx) => {
    for (const n of claimed) {
      await tx.insert(noticeAttempts).values({
        noticeId: n.id,
        attempt: n.attempts,
        at: opts.now,
        error: outcome.error,
        messageId: outcome.messageId,
      })
      const status: NoticeStatus =
        outcome.error === null ? 'sent' : (outcome.final ?? (n.attempts >= opts.maxAttempts ? 'failed' : 'pending'))
      await tx
        .update(notices)
        .set({
          status,
          lastError: outcome.error,
          ...(status === 'sent' ? { sentAt: opts.now } : {}),
          ...(status === 'pending' ? { nextAttemptAt: new Date(opts.now.getTime() + opts.retryInMs) } : {}),
        })
        .where(and(eq(notices.id, n.id), eq(notices.attempts, n.attempts), eq(notices.status, 'pending')))
    }
  })
}

// ---------------------------------------------------------------------------------------------
// The admin's view

export interface NoticeFilters {
  status?: NoticeStatus | undefined
  kind?: string | undefined
  recipient_id?: string | undefined
  limit: number
  cursor?: string | undefined
}

/** Notices, newest first, each with its attempts. */
export async function listNotices(db: Queryable, f: NoticeFilters) {
  const conditions: (SQL | undefined)[] = []
  if (f.status) conditions.push(eq(notices.status, f.status))
  if (f.kind) conditions.push(eq(notices.kind, f.kind))
  if (f.recipient_id) conditions.push(eq(notices.recipientId, f.recipient_id))
  if (f.cursor) {
    const at = decodeCursor(f.cursor, 'created_at_desc')
    const value = sql`${String(at.value)}::timestamptz`
    conditions.push(
      or(sql`${notices.createdAt} < ${value}`, and(sql`${notices.createdAt} = ${value}`, lt(notices.id, at.id))),
    )
  }
  const rows = await db
    .select({
      n: notices,
      recipientName: principals.name,
      recipientEmail: principals.email,
      at: sql<string>`to_char(${notices.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(notices)
    .innerJoin(principals, eq(principals.id, notices.recipientId))
    .where(and(...conditions))
    .orderBy(desc(notices.createdAt), desc(notices.id))
    .limit(f.limit + 1)
  const page = finishPage(rows, f.limit, 'created_at_desc', (r) => ({ value: r.at, id: r.n.id }))
  const ids = page.items.map((r) => r.n.id)
  const attempts =
    ids.length === 0
      ? []
      : await db
          .select()
          .from(noticeAttempts)
          .where(inArray(noticeAttempts.noticeId, ids))
          .orderBy(asc(noticeAttempts.attempt), asc(noticeAttempts.id))
  const byNotice = new Map<string, typeof attempts>()
  for (const a of attempts) byNotice.set(a.noticeId, [...(byNotice.get(a.noticeId) ?? []), a])
  return {
    items: page.items.map(({ n, recipientName, recipientEmail }) => ({
      id: n.id,
      kind: n.kind,
      recipient: { id: n.recipientId, name: recipientName, email: recipientEmail },
      subject: { type: n.subjectType, id: n.subjectId },
      occasion: n.occasion,
      event_id: n.eventId === null ? null : String(n.eventId),
      unit_id: n.unitId,
      period_id: n.periodId,
      link: n.link,
      digest: n.digest,
      status: n.status,
      attempts: n.attempts,
      next_attempt_at: n.status === 'pending' ? n.nextAttemptAt.toISOString() : null,
      last_error: n.lastError,
      sent_at: n.sentAt?.toISOString() ?? null,
      created_at: n.createdAt.toISOString(),
      log: (byNotice.get(n.id) ?? []).map((a) => ({
        attempt: a.attempt,
        at: a.at.toISOString(),
        error: a.error,
        message_id: a.messageId,
      })),
    })),
    next_cursor: page.next_cursor,
  }
}
