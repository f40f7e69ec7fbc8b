import { and, asc, eq, gt, inArray, lte, sql, type SQL } from 'drizzle-orm'
import { queryRows, type Db, type Queryable } from '../../db/connection.js'
import { EVENTS_PURGE_LOCK, lockWrites } from '../../db/locks.js'
import type { Principal } from '../../lib/principal.js'
import { canRead, type StageKind, type StageStatus } from '../assessments/rules.js'
import { unitScopeCondition } from '../auth/scope.js'
import { units } from '../units/tables.js'
import { queueDeliveries } from '../webhooks/service.js'
import { webhookDeliveries } from '../webhooks/tables.js'
import type { EventType } from './rules.js'
import { events, feedRetention, type EventRow } from './tables.js'
import { assertReturned } from '../../lib/returned.js'
import { roundTo } from '../../lib/precision.js'

export interface EventInput {
  type: EventType
  unitId: string
  periodId?: string | null
  assessmentId?: string | null
  subject: { type: string; id: string }
  data: Record<string, unknown>
  /** a stage's kind and status when the event is about a stage: a TPI draft is hidden from unit operators */
  stage?: { kind: StageKind; status: StageStatus }
  requestId?: string | null
}

/**
 * Appends a domain event in the caller's transaction (it commits or rolls back with the change)
 * and queues its webhook deliveries (the transactional outbox).
 *
 * Ordering: the id is drawn while holding a transaction-scoped advisory lock, released only at
 * commit; so a transaction that draws id n commits before any transaction can draw n+1, and a
 * reader that sees id n+1 already sees every id ≤ n that will ever exist (ids of rolled-back
 * transactions are simply missing). Cursors never skip an event that commits late.
 */
export async function emitEvent(tx: Queryable, input: EventInput): Promise<number> {
  await lockWrites(tx)
  const restricted = input.stage ? !canRead(input.stage.kind, input.stage.status, 'unit_operator') : false
  // The event and its deliveries in one statement (a data-modifying CTE).
  const [row] = await queryRows<{ id: string }>(
    tx,
    sql`with event as (
          insert into events (type, unit_id, period_id, assessment_id, subject_type, subject_id, data, restricted, request_id)
          values (${input.type}, ${input.unitId}::uuid, ${input.periodId ?? null}::uuid, ${input.assessmentId ?? null}::uuid,
                  ${input.subject.type}, ${input.subject.id}, ${JSON.stringify(input.data)}::jsonb, ${restricted}, ${input.requestId ?? null})
          returning id, type, unit_id
        ), queued as (${queueDeliveries(sql`event`)})
        select id::text as id from event`,
  )
  assertReturned(row, 'insert')
  return Number(row.id)
}

interface StageLike {
  id: string
  kind: StageKind
  status: StageStatus
  version: number
  total: number | null
}

/** An event about a stage (started, answers changed, submitted/returned/approved). */
export function stageEvent(
  type: EventType,
  assessment: { id: string; periodId: string; unitId: string },
  stage: StageLike,
  extra: Record<string, unknown> = {},
  requestId?: string,
): EventInput {
  return {
    type,
    unitId: assessment.unitId,
    periodId: assessment.periodId,
    assessmentId: assessment.id,
    subject: { type: 'assessment_stage', id: stage.id },
    data: {
      assessment_id: assessment.id,
      stage_id: stage.id,
      stage: stage.kind,
      status: stage.status,
      version: stage.version,
      // Read by people (webhook receivers, feed readers): the score as responses carry it (docs/scoring.md).
      total: stage.total === null ? null : roundTo(stage.total, 2),
      ...extra,
    },
    stage: { kind: stage.kind, status: stage.status },
    requestId: requestId ?? null,
  }
}

interface DeclarationLike {
  id: string
  unitId: string
  periodId: string
  target: string
  status: string
  version: number
}

export function declarationEvent(
  type: EventType,
  d: DeclarationLike,
  extra: Record<string, unknown> = {},
  requestId?: string,
): EventInput {
  return {
    type,
    unitId: d.unitId,
    periodId: d.periodId,
    subject: { type: 'declaration', id: d.id },
    data: { declaration_id: d.id, target: d.target, status: d.status, version: d.version, ...extra },
    requestId: requestId ?? null,
  }
}

export function eventView(row: EventRow) {
  return {
    id: String(row.id),
    type: row.type as EventType,
    occurred_at: row.occurredAt.toISOString(),
    unit_id: row.unitId,
    period_id: row.periodId,
    assessment_id: row.assessmentId,
    subject: { type: row.subjectType, id: row.subjectId },
    data: row.data,
  }
}
export type EventView = ReturnType<typeof eventView>

/**
 * Events after `after`, oldest first, limited to the reader's scope. `next_cursor` is the last
 * event served, or — when the page is not full — the newest event that existed when the page was
 * read, so a reader whose scope holds few events does not scan the others again.
 */
export async function readFeed(
  db: Queryable,
  principal: Principal,
  opts: { after: number; limit: number; types?: string[] },
) {
  // after=0 starts at the oldest event kept: only a later cursor can be older than the purge
  if (opts.after > 0) {
    const purgedThrough = await feedPurgedThrough(db)
    if (opts.after < purgedThrough) throw new CursorExpiredError(opts.after, purgedThrough)
  }
  const [head] = await db.select({ max: sql<string | null>`max(${events.id})::text` }).from(events)
  const ceiling = head?.max ? Number(head.max) : 0
  const conditions: (SQL | undefined)[] = [gt(events.id, opts.after), lte(events.id, ceiling)]
  const scope = unitScopeCondition(principal, units.path)
  if (scope) conditions.push(scope)
  if (principal.role === 'unit_operator') conditions.push(eq(events.restricted, false))
  if (opts.types && opts.types.length > 0) conditions.push(inArray(events.type, opts.types))
  const base = db.select({ e: events }).from(events)
  const rows = await (scope ? base.innerJoin(units, eq(units.id, events.unitId)) : base)
    .where(and(...conditions))
    .orderBy(asc(events.id))
    .limit(opts.limit + 1)
  const hasMore = rows.length > opts.limit
  const items = rows.slice(0, opts.limit).map((r) => eventView(r.e))
  const last = items[items.length - 1]
  const next = hasMore && last ? Number(last.id) : Math.max(ceiling, opts.after)
  return { items, next_cursor: String(next), has_more: hasMore }
}

/** The last event id purged by retention (0: none yet). */
export async function feedPurgedThrough(db: Queryable): Promise<number> {
  const [row] = await db.select({ through: feedRetention.purgedThrough }).from(feedRetention)
  return row?.through ?? 0
}

/** A cursor older than the retention purge: the events after it are partly gone. */
export class CursorExpiredError extends Error {
  constructor(
    readonly after: number,
    readonly purgedThrough: number,
  ) {
    super(`events up to ${purgedThrough} were purged`)
    this.name = 'CursorExpiredError'
  }
}

/**
 * Deletes the events older than `retentionDays` (with their delivered or failed webhook
 * deliveries and attempt logs, by cascade), never one that a delivery still waits to send, and
 * records how far it went so that older cursors are refused rather than silently skipped.
 * One replica at a time (a try-lock: the others skip this round). Returns what it did, or null
 * when another replica was purging.
 */
export async function purgeEvents(
  db: Db,
  retentionDays: number,
): Promise<{ deleted: number; purgedThrough: number } | null> {
  return db.transaction(async (tx) => {
    const [lock] = await queryRows<{ ok: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(${EVENTS_PURGE_LOCK}) as ok`,
    )
    if (!lock?.ok) return null
    const previous = await feedPurgedThrough(tx)
    const [old] = await tx
      .select({ max: sql<string | null>`max(${events.id})::text` })
      .from(events)
      .where(sql`${events.occurredAt} < now() - make_interval(days => ${retentionDays})`)
    const [pending] = await tx
      .select({ min: sql<string | null>`min(${webhookDeliveries.eventId})::text` })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.status, 'pending'))
    let through = old?.max ? Number(old.max) : 0
    if (pending?.min) through = Math.min(through, Number(pending.min) - 1)
    if (through <= previous) return { deleted: 0, purgedThrough: previous }
    const [deleted] = await queryRows<{ n: number }>(
      tx,
      sql`with gone as (delete from ${events} where ${events.id} <= ${through} returning 1) select count(*)::int as n from gone`,
    )
    await tx
      .insert(feedRetention)
      .values({ id: true, purgedThrough: through })
      .onConflictDoUpdate({ target: feedRetention.id, set: { purgedThrough: through, purgedAt: sql`now()` } })
    return { deleted: deleted?.n ?? 0, purgedThrough: through }
  })
}
