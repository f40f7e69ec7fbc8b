import { sql } from 'drizzle-orm'
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { ROLES } from '../../lib/policy.js'
import { units } from '../units/tables.js'

/** A person (user) or a machine client (service) that holds roles and tokens. */
export const principals = pgTable('principals', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['user', 'service'] }).notNull(),
  email: text('email'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  disabledAt: timestamp('disabled_at', { withTimezone: true, mode: 'date' }),
})

/**
 * A role held by a principal, optionally limited to a unit subtree (unit_id). A grant without a
 * unit covers every unit; admin grants are always unit-less.
 */
export const roleGrants = pgTable(
  'role_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    principalId: uuid('principal_id')
      .notNull()
      .references(() => principals.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    unitId: uuid('unit_id').references(() => units.id, { onDelete: 'restrict' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('role_grants_unique').on(
      t.principalId,
      t.role,
      sql`coalesce(${t.unitId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
    ),
    index('role_grants_unit_idx').on(t.unitId),
  ],
)

/**
 * API tokens: `zit_<prefix>_<secret>`. Only the SHA-256 of the whole token is stored; the
 * prefix is kept in clear to find the row and to let people recognise a token.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    principalId: uuid('principal_id')
      .notNull()
      .references(() => principals.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    prefix: text('prefix').notNull(),
    hash: text('hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('api_tokens_prefix_key').on(t.prefix), index('api_tokens_principal_idx').on(t.principalId)],
)
