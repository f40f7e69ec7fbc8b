import { sql } from 'drizzle-orm'
import { PgTransaction } from 'drizzle-orm/pg-core'
import type { Queryable } from './connection.js'

/**
 * The PostgreSQL advisory lock keys, in one place: two constants that drift apart would be two
 * locks, and the serialisation each one promises would silently stop.
 */

/** Serialises migrations across replicas starting together (session lock, src/db/connection.ts). */
export const MIGRATION_LOCK = 727_2021

/**
 * The write lock: the audit chain's head, the change feed's ids and the dashboard counters are all
 * drawn under it (transaction-scoped), so there is one lock order and ids follow commit order.
 * The dashboard counters' plpgsql (src/db/sql/dashboards.sql) takes it as {{WRITE_LOCK}}.
 */
export const WRITE_LOCK = 727_2022

/** One admin is bootstrapped even when replicas start together (src/modules/auth/service.ts). */
export const BOOTSTRAP_LOCK = 727_2023

/** One replica at a time purges old events (src/modules/events/service.ts, a try-lock). */
export const EVENTS_PURGE_LOCK = 727_2024

/** Transactions known to hold WRITE_LOCK: taking it again is a no-op in PostgreSQL, but a round trip. */
const holdingWriteLock = new WeakSet<object>()

/**
 * Takes the write lock (WRITE_LOCK: every mutation takes it before it commits, so there is a
 * single lock order) now rather than at commit, once per transaction: the audit chain and the
 * change feed both ask for it. A transaction that locks a webhook subscription row must do so
 * first: event writers hold the lock while they queue deliveries, which reference subscription
 * rows. Only a transaction is remembered (on a plain connection the lock would end with the
 * statement).
 */
export async function lockWrites(tx: Queryable): Promise<void> {
  if (holdingWriteLock.has(tx)) return
  await tx.execute(sql`select pg_advisory_xact_lock(${WRITE_LOCK})`)
  if (tx instanceof PgTransaction) holdingWriteLock.add(tx)
}
