/**
 * The PostgreSQL advisory lock keys, in one place: two constants that drift apart would be two
 * locks, and the serialisation each one promises would silently stop.
 */

/** Serialises migrations across replicas starting together (session lock, src/db/connection.ts). */
export const MIGRATION_LOCK = 727_2021

/**
 * The write lock: the audit chain's head, the change feed's ids and the dashboard counters are all
 * drawn under it (transaction-scoped), so there is one lock order and ids follow commit order.
 * migrations/0006_dashboards_events_webhooks.sql takes the same key (7272022) in plpgsql.
 */
export const WRITE_LOCK = 727_2022

/** One admin is bootstrapped even when replicas start together (src/modules/auth/service.ts). */
export const BOOTSTRAP_LOCK = 727_2023

/** One replica at a time purges old events (src/modules/events/service.ts, a try-lock). */
export const EVENTS_PURGE_LOCK = 727_2024
