import { and, asc, eq, gt, inArray, lte, sql, type SQL } from 'drizzle-orm'
import { queryRows, type Queryable } from '../../db/connection.js'
import { lockWrites } from '../../db/locks.js'
import type { Principal } from '../../lib/principal.js'
import { unitScopeCondition } from '../auth/scope.js'
import { units } from '../units/tables.js'
import type { EventType } from './rules.js'
import { events, feedRetention, type EventRow } from './tables.js'
import { assertReturned } from '../../lib/returned.js'

export interface EventInput {
  type: EventType
  unitId: string
  periodId?: string | null
  assessmentId?: string | null
  subject: { type: string; id: string }
  data: Record<string, unknown>
  /** hidden from unit operators (an event about a TPI stage's draft: stageEvent in src/modules/assessments/events.ts sets it) */
  restricted?: boolean
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
  const restricted = input.restricted ?? false
  // The webhook deliveries are queued by the events_queue_deliveries trigger in this statement
  // (src/db/sql/webhooks.sql): the outbox, without the feed knowing of webhooks.
  const [row] = await queryRows<{ id: string }>(
    tx,
    sql`insert into events (type, unit_id, period_id, assessment_id, subject_type, subject_id, data, restricted, request_id)
        values (${input.type}, ${input.unitId}::uuid, ${input.periodId ?? null}::uuid, ${input.assessmentId ?? null}::uuid,
                ${input.subject.type}, ${input.subject.id}, ${JSON.stringify(input.data)}::jsonb, ${restricted}, ${input.requestId ?? null})
        returning id::text as id`,
  )
  assertReturned(row, 'insert')
  return Number(row.id)
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
