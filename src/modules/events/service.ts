import { and, asc, eq, gt, inArray, lte, sql, type SQL } from 'drizzle-orm'
import type { Queryable } from '../../db/client.js'
import type { Principal } from '../../lib/principal.js'
import { canRead, type StageKind, type StageStatus } from '../assessments/rules.js'
import { unitScopeCondition } from '../auth/scope.js'
import { units } from '../units/tables.js'
import { enqueueDeliveries } from '../webhooks/service.js'
import type { EventType } from './rules.js'
import { events, type EventRow } from './tables.js'
import { WRITE_LOCK } from '../../db/locks.js'

/**
 * Takes the write lock (WRITE_LOCK, the audit chain's: every mutation takes it before it commits,
 * so there is a single lock order) now rather than at commit. A transaction that locks a
 * webhook subscription row must do so first: event writers hold the lock while they queue
 * deliveries, which reference subscription rows.
 */
export async function lockWrites(tx: Queryable): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${WRITE_LOCK})`)
}

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
  const [row] = await tx
    .insert(events)
    .values({
      type: input.type,
      unitId: input.unitId,
      periodId: input.periodId ?? null,
      assessmentId: input.assessmentId ?? null,
      subjectType: input.subject.type,
      subjectId: input.subject.id,
      data: input.data,
      restricted: input.stage ? !canRead(input.stage.kind, input.stage.status, 'unit_operator') : false,
      requestId: input.requestId ?? null,
    })
    .returning({ id: events.id })
  if (!row) throw new Error('insert returned nothing')
  await enqueueDeliveries(tx, { id: row.id, type: input.type, unitId: input.unitId })
  return row.id
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
    data: { assessment_id: assessment.id, stage_id: stage.id, stage: stage.kind, status: stage.status, version: stage.version, total: stage.total ?? null, ...extra },
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

export function declarationEvent(type: EventType, d: DeclarationLike, extra: Record<string, unknown> = {}, requestId?: string): EventInput {
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
export async function readFeed(db: Queryable, principal: Principal, opts: { after: number; limit: number; types?: string[] }) {
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
