import { bigserial, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { jsonb } from '../../db/jsonb.js'

/**
 * Append-only, hash-chained audit trail. The database refuses UPDATE, DELETE and TRUNCATE
 * (triggers in migration 0002); `hash` = SHA-256 of `prev_hash` and the event's canonical JSON.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    actorPrincipalId: uuid('actor_principal_id'),
    actorName: text('actor_name').notNull(),
    actorRole: text('actor_role').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
    requestId: text('request_id'),
    ip: text('ip'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_entity_idx').on(t.entityType, t.entityId, t.id),
    index('audit_actor_idx').on(t.actorPrincipalId, t.id),
    index('audit_action_idx').on(t.action, t.id),
    index('audit_time_idx').on(t.occurredAt, t.id),
  ],
)
