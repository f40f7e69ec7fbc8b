import { eq, sql } from 'drizzle-orm'
import { queryRows, type Db } from '../db/connection.js'
import { EVENTS_PURGE_LOCK } from '../db/locks.js'
import { feedPurgedThrough } from '../modules/events/service.js'
import { events, feedRetention } from '../modules/events/tables.js'
import { webhookDeliveries } from '../modules/webhooks/tables.js'

// The change-feed purge, run hourly by src/workers (EVENTS_PURGE_WORKER). It lives with the
// workers because it keeps what both the feed (src/modules/events) and webhook delivery
// (src/modules/webhooks) still need, and neither of those modules imports the other's tables.

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
