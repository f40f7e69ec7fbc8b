import { sql } from 'drizzle-orm'
import { date, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { principals } from '../auth/tables.js'
import { periods } from '../periods/tables.js'
import { units } from '../units/tables.js'
import { jsonb } from '../../db/jsonb.js'
import { DECLARATION_STATUSES, TARGETS } from './rules.js'

export const DOCUMENT_KINDS = ['piagam_pencanangan', 'pakta_integritas', 'sk_tim', 'other'] as const
export type DocumentKind = (typeof DOCUMENT_KINDS)[number]

export interface DeclarationDocument {
  kind: DocumentKind
  title?: string
  url?: string
  evidence_id?: string
}

/**
 * A unit's pencanangan (declaration) for a period: the predicate it aims at and where it is in
 * the ZI lifecycle. One per unit and period.
 */
export const declarations = pgTable(
  'declarations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id, { onDelete: 'restrict' }),
    periodId: uuid('period_id')
      .notNull()
      .references(() => periods.id, { onDelete: 'restrict' }),
    target: text('target', { enum: TARGETS }).notNull(),
    status: text('status', { enum: DECLARATION_STATUSES }).notNull().default('declared'),
    declaredOn: date('declared_on', { mode: 'string' }).notNull(),
    documents: jsonb('documents').$type<DeclarationDocument[]>().notNull().default([]),
    notes: text('notes'),
    /** Set on `designated`: the predicate obtained and since when. */
    predicate: text('predicate', { enum: TARGETS }),
    designatedOn: date('designated_on', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('declarations_unit_period_key').on(t.unitId, t.periodId),
    // PortalRB: "the units of period P proposed (or further) for target T" is one index range.
    index('declarations_period_target_status_idx').on(t.periodId, t.target, t.status),
    // WBBM needs WBK: "designated declarations of unit U".
    index('declarations_unit_status_idx').on(t.unitId, t.status),
    index('declarations_updated_idx').on(t.updatedAt, t.id),
  ],
)
export type DeclarationRow = typeof declarations.$inferSelect

/** Every status change of a declaration (the creation too, from null), append-only. */
export const declarationTransitions = pgTable(
  'declaration_transitions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    declarationId: uuid('declaration_id')
      .notNull()
      .references(() => declarations.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status', { enum: DECLARATION_STATUSES }),
    toStatus: text('to_status', { enum: DECLARATION_STATUSES }).notNull(),
    reason: text('reason').notNull(),
    actorPrincipalId: uuid('actor_principal_id').references(() => principals.id, { onDelete: 'set null' }),
    actorName: text('actor_name').notNull(),
    actorRole: text('actor_role').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' })
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [index('declaration_transitions_declaration_idx').on(t.declarationId, t.occurredAt)],
)
export type DeclarationTransitionRow = typeof declarationTransitions.$inferSelect
