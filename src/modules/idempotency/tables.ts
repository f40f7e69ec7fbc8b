import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { jsonb } from '../../db/jsonb.js'

/**
 * Idempotency-Key records (see plugin.ts). The row is the lock: a request
 * inserts it 'pending' (ON CONFLICT DO NOTHING) before running, and completes it with the
 * response it sent; every replica sees the same rows.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    principalId: uuid('principal_id').notNull(),
    method: text('method').notNull(),
    route: text('route').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of the canonical request (JSON with sorted keys). */
    requestHash: text('request_hash').notNull(),
    state: text('state', { enum: ['pending', 'done'] })
      .notNull()
      .default('pending'),
    responseStatus: integer('response_status'),
    responseHeaders: jsonb('response_headers').$type<Record<string, string>>(),
    responseBody: text('response_body'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.principalId, t.method, t.route, t.key] }),
    index('idempotency_keys_expires_idx').on(t.expiresAt),
  ],
)
export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect
