import { sql } from 'drizzle-orm'
import { bigint, boolean, check, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { jsonb } from '../../db/jsonb.js'

/**
 * The change feed: domain events written in the same transaction as the change they describe.
 * `id` is the feed cursor. Writers take a transaction-scoped advisory lock before drawing it
 * (see emitEvent), so ids become visible in commit order and a reader never sees id n+1 while
 * id n may still commit.
 */
export const events = pgTable(
  'events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    type: text('type').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' })
      .notNull()
      .default(sql`clock_timestamp()`),
    unitId: uuid('unit_id'),
    periodId: uuid('period_id'),
    assessmentId: uuid('assessment_id'),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    /** hidden from unit operators (a TPI stage's working draft, like the assessments routes do) */
    restricted: boolean('restricted').notNull().default(false),
    requestId: text('request_id'),
  },
  (t) => [index('events_unit_idx').on(t.unitId, t.id), index('events_occurred_at_idx').on(t.occurredAt)],
)
export type EventRow = typeof events.$inferSelect

/**
 * One row, once events have been purged (EVENTS_RETENTION_DAYS): every id up to purged_through is
 * gone, so a reader whose cursor is older has missed events and is told so (410) instead of
 * silently skipping them.
 */
export const feedRetention = pgTable(
  'feed_retention',
  {
    id: boolean('id').primaryKey().default(true),
    purgedThrough: bigint('purged_through', { mode: 'number' }).notNull(),
    purgedAt: timestamp('purged_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [check('feed_retention_one_row', sql`${t.id}`)],
)
